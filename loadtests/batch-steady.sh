#!/usr/bin/env bash
# Steady-state batch registration: one long gRPC BatchRegister run (production mode: PostgreSQL with
# fsync on, Redis; 4 callers x 2000 new identifiers per call; 30 s warm-up; no COPY floor) while
# every second it records the CPU time of the node, Redis, PostgreSQL (client backends, autovacuum,
# checkpointer, background writer, WAL writer), the load generator and the whole machine, and the
# node's change-log position. Prints identifiers/s and CPU microseconds per identifier for every
# 10 s window, so a slowdown as the table grows shows up with the process that pays for it.
#
# Settings (environment):
#   IDNODE_LOAD_STEADY_SECONDS=120   measured seconds (after the 30 s warm-up)
#   IDNODE_LOAD_PORT_BASE=47300      as in run.sh (PostgreSQL on base+200, Redis on base+201)
#   IDNODE_LOAD_FILL_PAGE_CACHE=0    1: first fill the kernel page cache by reading a sparse file 1.5 times
#                                    the size of RAM, so that PostgreSQL's new file pages are recycled
#                                    cache pages, as on a server that has been up for a while, and not
#                                    never-used memory (on this VM a first touch of a page costs
#                                    ~4 s of system time per GiB, see BENCHMARKS.md)
#   IDNODE_LOAD_SKIP_BUILD=1         passed to run.sh
# Needs what run.sh production mode needs, plus python3 and, for the PostgreSQL counters, psql.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_MEASURED=${IDNODE_LOAD_STEADY_SECONDS:-120}
BASE=${IDNODE_LOAD_PORT_BASE:-47300}
OUT=$(mktemp -d /tmp/idnode-steady.XXXXXX)
SAMPLER=""
cleanup() {
  [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null || true
  rm -f "$OUT/fill"
}
trap cleanup EXIT

mem_free() { awk '/^MemFree:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo; }
if [ "${IDNODE_LOAD_FILL_PAGE_CACHE:-0}" = 1 ]; then
  # Reading a hole allocates a zeroed cache page and writes nothing to disk.
  truncate -s $(( $(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) * 1536 )) "$OUT/fill"   # KiB * 1.5 * 1024 (mawk's %d stops at 2^31)
  echo "[steady] filling the page cache (free before: $(mem_free))" >&2
  cat "$OUT/fill" >/dev/null
fi
echo "[steady] free memory at start: $(mem_free)" >&2

PSQL=$(ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n 1 || true)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }   # as in run.sh
pg_sql() { [ -z "$PSQL" ] || as_pg "$PSQL" -h 127.0.0.1 -p $((BASE + 200)) -U postgres -Atc "$1" 2>/dev/null; }
pid_on() { ss -ltnpH "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2; }
# CPU ticks of a process; -1 when it is not there (not started yet, or gone).
ticks() { [ -n "${1:-}" ] && awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo -1; }
sample() {
  set +e +o pipefail   # a process not up yet is a zero, not the end of the sampler
  local i=0 still=0 last_seq= node redis pg gen be av ck bw ww t seq
  while true; do
    node=$(pid_on "$BASE"); redis=$(pid_on $((BASE + 201))); pg=$(pid_on $((BASE + 200)))
    gen=$(pgrep -f IdNode.LoadTests.dll | head -n 1 || true)
    be=0 av=0 ck=0 bw=0 ww=0
    if [ -n "$pg" ]; then
      for c in $(pgrep -P "$pg"); do
        t=$(ticks "$c")
        case "$(tr '\0' ' ' 2>/dev/null <"/proc/$c/cmdline")" in
          *autovacuum*) av=$((av + t)) ;; *checkpointer*) ck=$((ck + t)) ;; *"background writer"*) bw=$((bw + t)) ;;
          *walwriter*) ww=$((ww + t)) ;; *) be=$((be + t)) ;;
        esac
      done
    fi
    seq=$(curl -s --max-time 1 "http://127.0.0.1:$BASE/metrics/cache" 2>/dev/null | grep -o '"lastSequence":[0-9]*' | cut -d: -f2 || true)
    echo "$(date +%s.%N) $(ticks "$node") $(ticks "$redis") $be $av $ck $bw $ww $(ticks "$gen") $(awk '/^cpu / { print $2 + $3 + $4 + $6 + $7 + $8 }' /proc/stat) ${seq:-0} $(cut -d' ' -f1 /proc/loadavg)"
    i=$((i + 1))
    # A change-log position that stops moving for 15 s while the generator runs is a stall: keep
    # what PostgreSQL is waiting on and the sockets' queues, once, for whoever reads the samples.
    if [ -n "$gen" ] && [ "${seq:-0}" -gt 0 ] && [ "$seq" = "${last_seq:-}" ]; then still=$((still + 1)); else still=0; fi
    last_seq=${seq:-0}
    if [ "$still" = 15 ]; then
      { echo "stalled at $(date -u +%T) at sequence $seq"
        pg_sql "select pid, state, wait_event_type, wait_event, now() - xact_start, now() - state_change, left(query, 80) from pg_stat_activity where datname is not null"
        pg_sql "select locktype, relation::regclass, mode, granted, pid from pg_locks where not granted"
        ss -tnpi "( sport = :$((BASE + 1)) or dport = :$((BASE + 1)) or sport = :$((BASE + 200)) )"
        curl -s --max-time 2 "http://127.0.0.1:$BASE/metrics/cache"; } >"$OUT/stall.txt" 2>&1
      echo "[steady] the change log stopped moving for 15 s: $OUT/stall.txt" >&2
    fi
    if [ -n "$pg" ] && [ $((i % 10)) = 0 ]; then
      echo "#pg $(date +%s) $(pg_sql "select checkpoints_timed + checkpoints_req, buffers_checkpoint, buffers_clean, buffers_backend from pg_stat_bgwriter" | tr '|' ' ')"
    fi
    sleep 1
  done
}
sample >"$OUT/samples" &
SAMPLER=$!

IDNODE_LOAD_PRODUCTION=1 IDNODE_LOAD_ONLY=batch IDNODE_LOAD_BATCH_FLOOR=0 IDNODE_LOAD_ROUNDS=1 \
  IDNODE_LOAD_BATCH_WARMUP=30 IDNODE_LOAD_GEN_DURATION="$SECONDS_MEASURED" IDNODE_LOAD_PORT_BASE="$BASE" \
  "$ROOT/loadtests/run.sh" >"$OUT/run.out" 2>"$OUT/run.err" || { tail -n 20 "$OUT/run.err" >&2; exit 1; }
kill "$SAMPLER" 2>/dev/null || true; SAMPLER=""
grep 'generator gen grpc-batch' "$OUT/run.err" | sed 's/^\[run.sh\] /[steady] whole measured run: /' >&2 || true

python3 - "$OUT/samples" <<'EOF'
import os, sys
hz = os.sysconf("SC_CLK_TCK")
rows, pg = [], []
for line in open(sys.argv[1]):
    f = line.split()
    if f[0] == "#pg":
        pg.append(f[1:]); continue
    if len(f) == 12 and int(f[10]) > 0:
        rows.append([float(f[0])] + [int(x) for x in f[1:11]] + [f[11]])
if len(rows) < 2:
    sys.exit("no writes seen")
names = ["node", "redis", "pg", "autovac", "ckpt", "bgwr", "walwr", "gen", "machine"]
print("window  ids/s    " + " ".join(f"{n:>7}" for n in names) + "   load   (CPU us per identifier)")
t0, i = rows[0][0], 0
while i < len(rows) - 1:
    j = i
    while j + 1 < len(rows) and rows[j + 1][0] - rows[i][0] < 10.5:
        j += 1
    a, b = rows[i], rows[j]
    ids, dt = b[10] - a[10], b[0] - a[0]
    if ids > 0 and dt > 5:
        # A process missing at either end of the window (the generator once it has finished) shows as "-".
        cpu = [f"{(b[k] - a[k]) / hz * 1e6 / ids:7.1f}" if min(a[k], b[k]) >= 0 and b[k] >= a[k] else "      -" for k in range(1, 10)]
        print(f"{a[0] - t0:5.0f}s {ids / dt:7.0f}    " + " ".join(cpu) + f"   {b[11]}")
    i = j
if pg:
    print("PostgreSQL (pg_stat_bgwriter, cumulative): time checkpoints buffers_checkpoint buffers_clean buffers_backend")
    for p in pg[:: max(1, len(pg) // 8)]:
        print("  " + " ".join(p))
EOF
echo "[steady] samples kept in $OUT/samples" >&2
