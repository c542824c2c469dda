#!/usr/bin/env bash
# Resolve latency as the store grows (issue 6): fills a throwaway PostgreSQL cluster to each size in
# IDNODE_SCALE_SIZES, and at each size measures, INTERLEAVED (cold node, raw select, hot node, repeat):
#   cold node  wrk with a Lua script picking a uniformly random stored identifier per request, against
#              a node with L1 off (IdNode__Cache__L1MaxBytes=0), so every request is one store read;
#   raw select pgbench running the node's own primary-key select on the same key distribution, same
#              connections: what PostgreSQL does without the node (the "cold ratio" baseline);
#   hot node   wrk on one identifier against a second node with the default L1 (an L1 hit).
# Rows are generated inside PostgreSQL (INSERT ... SELECT generate_series, no client round trips) in
# the node's stored-record format: 3-9 values, 320-1300 bytes of stored JSON (mean ~750). The cluster
# runs with fsync off (a benchmark cluster; reads do not depend on it).
# Everything listens on 127.0.0.1 only; everything started here is stopped and deleted on exit.
#
# IDNODE_SCALE_STORE=sqlite: the same for the embedded store. The node creates its SQLite schema, then
# the sqlite3 CLI fills the database between sizes with the nodes stopped (generate_series, keys
# 88.999/SCALE-%08d so every size appends in key order; the same record shapes), and "raw" is
# loadtests/SqliteFloor: the node's own select, connection settings and column reads in a loop of
# random keys on IDNODE_SCALE_FLOOR_THREADS threads (default: one per core), no HTTP, no decoding.
#
# Settings (environment):
#   IDNODE_SCALE_SIZES="100000 1000000 10000000"  store sizes, ascending (rows are added between sizes)
#   IDNODE_SCALE_DURATION=15      seconds per measured run
#   IDNODE_SCALE_ROUNDS=3         interleaved rounds per size (medians are reported)
#   IDNODE_SCALE_CONNECTIONS=64   wrk connections = pgbench clients
#   IDNODE_SCALE_PORT_BASE=47500  cold node = base (h2c base+1), hot node = base+10 (+11), PostgreSQL = base+200
#   IDNODE_SCALE_DIR=/tmp         where the throwaway cluster goes (10^7 rows need ~18 GB free)
#   IDNODE_SCALE_SHARED_BUFFERS=256MB
#   IDNODE_SCALE_SKIP_BUILD=1     use the existing Release build
#   IDNODE_SCALE_STORE=postgres   or sqlite (see above)
#   IDNODE_SCALE_LOCK=<file>      a flock file shared with other measurements: filling takes it shared (per
#                                 step, released between steps), each size's measured runs take it exclusive
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SIZES=${IDNODE_SCALE_SIZES:-100000 1000000 10000000}
DURATION=${IDNODE_SCALE_DURATION:-15}
ROUNDS=${IDNODE_SCALE_ROUNDS:-3}
CONNS=${IDNODE_SCALE_CONNECTIONS:-64}
BASE=${IDNODE_SCALE_PORT_BASE:-47500}
COLD_PORT=$BASE HOT_PORT=$((BASE + 10)) PG_PORT=$((BASE + 200))
PREFIX=88.999
WORK=$(mktemp -d "${IDNODE_SCALE_DIR:-/tmp}/idnode-scale.XXXXXX")
RESULTS=$WORK/results.tsv
PIDS=() PG_BIN="" PG_DATA=$WORK/pg
STORE=${IDNODE_SCALE_STORE:-postgres}
[ "$STORE" = postgres ] || [ "$STORE" = sqlite ] || { echo "IDNODE_SCALE_STORE must be postgres or sqlite" >&2; exit 2; }
DB=$WORK/sqlite-data/idnode.db

log() { printf '[scale.sh] %s\n' "$*" >&2; }
# lock shared|exclusive|unlock: fd 9 on IDNODE_SCALE_LOCK (nothing without it). Processes started
# here close fd 9, so no node keeps the lock.
lock() {
  [ -n "${IDNODE_SCALE_LOCK:-}" ] || return 0
  case $1 in
    shared) exec 9>>"$IDNODE_SCALE_LOCK"; flock -s 9 ;;
    exclusive) exec 9>>"$IDNODE_SCALE_LOCK"; flock -x 9 ;;
    unlock) flock -u 9 2>/dev/null || true; exec 9>&- ;;
  esac
}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
stop() {
  local pid=$1
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}
cleanup() {
  for pid in "${PIDS[@]}"; do stop "$pid"; done
  if [ -f "$PG_DATA/postmaster.pid" ]; then as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- tools --------------------------------------------------------------------------------
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
if [ "$STORE" = postgres ]; then [ -x "$PG_BIN/initdb" ] || missing+=(postgresql); else command -v sqlite3 >/dev/null || missing+=(sqlite3); fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  else
    log "missing and cannot install (not root or no apt-get): ${missing[*]}"; exit 1
  fi
fi
PGBENCH=$PG_BIN/pgbench
[ -x "$PGBENCH" ] || PGBENCH=$(command -v pgbench || true)

if [ "${IDNODE_SCALE_SKIP_BUILD:-0}" != 1 ]; then
  log "building Release"
  dotnet build -c Release -nologo -v q src/IdNode.Server >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }
  if [ "$STORE" = sqlite ]; then
    dotnet build -c Release -nologo -v q loadtests/SqliteFloor >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }
  fi
fi
SERVER_BIN=$ROOT/src/IdNode.Server/bin/Release/net10.0
FLOOR_DLL=$ROOT/loadtests/SqliteFloor/bin/Release/net10.0/SqliteFloor.dll

for port in $COLD_PORT $((COLD_PORT + 1)) $HOT_PORT $((HOT_PORT + 1)) $PG_PORT; do
  if (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null; then
    log "port $port is already in use: set IDNODE_SCALE_PORT_BASE to a free range"; exit 1
  fi
done

# ---- PostgreSQL -----------------------------------------------------------------------------
if [ "$STORE" = postgres ]; then
chmod 755 "$WORK"; [ "$(id -u)" = 0 ] && chown postgres "$WORK"
as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --no-locale --no-sync >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$WORK/pg.log" -w -t 60 -o "-p $PG_PORT -k $WORK -c listen_addresses=127.0.0.1 \
  -c max_connections=300 -c shared_buffers=${IDNODE_SCALE_SHARED_BUFFERS:-256MB} -c fsync=off -c synchronous_commit=off \
  -c full_page_writes=off -c max_wal_size=4GB -c checkpoint_timeout=1h" start >/dev/null
CS="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"
PSQL=(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt)
log "PostgreSQL $("${PSQL[@]}" -c 'SHOW server_version') on 127.0.0.1:$PG_PORT, data in $PG_DATA"
fi

# ---- nodes ----------------------------------------------------------------------------------
start_node() {
  local name=$1 port=$2; shift 2
  # The ports sit in the ephemeral range: a restart (SQLite mode) can find one briefly held by some
  # client socket on this shared machine; such a start is retried for up to a minute.
  local attempt
  for attempt in $(seq 30); do
    start_node_once "$name" "$port" "$@" && return 0
    grep -q "address already in use" "$WORK/node-$name.log" || break
    sleep 2
  done
  log "node $name did not start"; cat "$WORK/node-$name.log" >&2; exit 1
}
start_node_once() {
  local name=$1 port=$2; shift 2
  (cd "$SERVER_BIN" && exec env \
    IdNode__Node__Prefix=$PREFIX IdNode__Store__DataDirectory="$WORK/data-$name" IdNode__Bootstrap__AdminSecret="scale-$$" \
    "${STORE_ENV[@]}" \
    Kestrel__Endpoints__Http__Url=http://127.0.0.1:$port Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:$((port + 1)) \
    Logging__LogLevel__Default=Warning Logging__LogLevel__Microsoft.Hosting.Lifetime=Warning \
    "$@" dotnet IdNode.Server.dll) >"$WORK/node-$name.log" 2>&1 9>&- &
  local pid=$!
  PIDS+=("$pid")
  for _ in $(seq 300); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/alive" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  stop "$pid"; unset 'PIDS[-1]'
  return 1
}
# Both nodes read one SQLite file (WAL: readers in several processes).
if [ "$STORE" = sqlite ]; then
  STORE_ENV=(IdNode__Store__Kind=sqlite IdNode__Store__DataDirectory="$WORK/sqlite-data" IdNode__Store__SyncEveryCommit=false)
else
  STORE_ENV=(IdNode__Store__Kind=postgres "ConnectionStrings__Postgres=$CS")
fi
start_nodes() {
  # The cold node creates the schema; the hot node starts after it.
  start_node cold $COLD_PORT IdNode__Cache__L1MaxBytes=0
  start_node hot $HOT_PORT
}
stop_nodes() { for pid in "${PIDS[@]}"; do stop "$pid"; done; PIDS=(); }
start_nodes

# ---- data -----------------------------------------------------------------------------------
# Rows lo..hi-1: 88.999/SCALE-<i>, four record shapes by i % 4 (9, 7, 5 and 3 values).
fill() {
  local lo=$1 hi=$2
  "${PSQL[@]}" -v lo="$lo" -v hi="$hi" <<'SQL'
INSERT INTO handles(key, handle, prefix, version, data, updated_at)
SELECT '88.999/SCALE-' || i, '88.999/SCALE-' || i, '88.999', 1,
  convert_to('[' || concat_ws(',',
    '{"index":1,"type":"URL","data":{"format":"string","value":"https://example.com/products/88.999/SCALE-' || i || '"},"permissions":"1110","ttl":86400,"timestamp":"2026-11-26T21:07:21Z"}',
    CASE WHEN i % 4 <> 3 THEN '{"index":100,"type":"HS_ADMIN","data":{"format":"admin","value":{"handle":"88.999/ADMIN","index":300,"permissions":"011111110011"}},"permissions":"1110","ttl":86400,"timestamp":"2026-11-26T21:07:21Z"}' END,
    '{"index":1001,"type":"TEMPLATE","data":{"format":"string","value":"pump-v3"},"permissions":"1110","ttl":86400,"timestamp":"2026-11-26T21:07:21Z"}',
    CASE WHEN i % 4 < 2 THEN '{"index":2000,"type":"manufacturer","data":{"format":"string","value":"Example Pump Works Co., Ltd."},"permissions":"1110","ttl":86400,"timestamp":"2026-11-26T21:07:21Z"}' END,
    CASE WHEN i % 4 < 2 THEN '{"index":2001,"type":"model","data":{"format":"string","value":"CP-150-' || (i % 97) || '"},"permissions":"1110","ttl":86400,"timestamp":"2026-11-26T21:07:21Z"}' END,
    CASE WHEN i % 4 = 0 THEN '{"index":2002,"type":"batch","data":{"format":"string","value":"B' || (i / 1000) || '"},"permissions":"1110","ttl":86400,"timestamp":"2026-11-26T21:07:21Z"}' END,
    CASE WHEN i % 4 = 0 THEN '{"index":2003,"type":"productionDate","data":{"format":"string","value":"2026-03-14"},"permissions":"1110","ttl":86400,"timestamp":"2026-11-26T21:07:21Z"}' END,
    CASE WHEN i % 4 = 0 THEN '{"index":2004,"type":"serial","data":{"format":"string","value":"SN-' || md5(i::text) || '"},"permissions":"1110","ttl":86400,"timestamp":"2026-11-26T21:07:21Z"}' END
  ) || ']', 'UTF8'),
  1795727241
FROM generate_series(:lo, :hi - 1) AS i;
INSERT INTO prefix_counts AS p (prefix, count) VALUES ('88.999', :hi - :lo)
  ON CONFLICT (prefix) DO UPDATE SET count = p.count + excluded.count;
SQL
}

# The same rows for the embedded store (sqlite3 CLI, nodes stopped): keys zero-padded so that rows
# lo..hi-1 come after every stored key (appends, not B-tree splits all over a 10 GB file); no journal
# while filling (a throwaway database; the nodes switch it back to WAL when they open it).
fill_sqlite() {
  local lo=$1 hi=$2
  sqlite3 "$DB" >/dev/null <<SQL
PRAGMA journal_mode=OFF;
PRAGMA synchronous=OFF;
PRAGMA cache_size=-524288;
BEGIN;
INSERT INTO handles(key, handle, prefix, version, data, updated_at)
SELECT k, k, '88.999', 1, CAST('[' ||
    '{"index":1,"type":"URL","data":{"format":"string","value":"https://example.com/products/' || k || '"},"permissions":"1110","ttl":86400,"timestamp":"2026-11-26T21:07:21Z"}' ||
    CASE WHEN i % 4 <> 3 THEN ',{"index":100,"type":"HS_ADMIN","data":{"format":"admin","value":{"handle":"88.999/ADMIN","index":300,"permissions":"011111110011"}},"permissions":"1110","ttl":86400,"timestamp":"2026-11-26T21:07:21Z"}' ELSE '' END ||
    ',{"index":1001,"type":"TEMPLATE","data":{"format":"string","value":"pump-v3"},"permissions":"1110","ttl":86400,"timestamp":"2026-11-26T21:07:21Z"}' ||
    CASE WHEN i % 4 < 2 THEN ',{"index":2000,"type":"manufacturer","data":{"format":"string","value":"Example Pump Works Co., Ltd."},"permissions":"1110","ttl":86400,"timestamp":"2026-11-26T21:07:21Z"}' ||
      ',{"index":2001,"type":"model","data":{"format":"string","value":"CP-150-' || (i % 97) || '"},"permissions":"1110","ttl":86400,"timestamp":"2026-11-26T21:07:21Z"}' ELSE '' END ||
    CASE WHEN i % 4 = 0 THEN ',{"index":2002,"type":"batch","data":{"format":"string","value":"B' || (i / 1000) || '"},"permissions":"1110","ttl":86400,"timestamp":"2026-11-26T21:07:21Z"}' ||
      ',{"index":2003,"type":"productionDate","data":{"format":"string","value":"2026-03-14"},"permissions":"1110","ttl":86400,"timestamp":"2026-11-26T21:07:21Z"}' ||
      ',{"index":2004,"type":"serial","data":{"format":"string","value":"SN-' || lower(hex(randomblob(16))) || '"},"permissions":"1110","ttl":86400,"timestamp":"2026-11-26T21:07:21Z"}' ELSE '' END ||
  ']' AS BLOB), 1795727241
FROM (SELECT value AS i, printf('88.999/SCALE-%08d', value) AS k FROM generate_series($lo, $hi - 1));
INSERT INTO prefix_counts(prefix, count) VALUES ('88.999', $hi - $lo)
  ON CONFLICT(prefix) DO UPDATE SET count = count + excluded.count;
COMMIT;
SQL
}

# SQLite keys are zero-padded (filled in key order), PostgreSQL's are not.
if [ "$STORE" = sqlite ]; then SCALE_KEY_FORMAT='%08d'; else SCALE_KEY_FORMAT='%d'; fi
cat >"$WORK/cold.lua" <<LUA
-- One uniformly random stored identifier per request (SCALE_N from the environment).
local n = tonumber(os.getenv("SCALE_N"))
local threads = 0
function setup(thread) threads = threads + 1; thread:set("id", threads) end
function init(args) math.randomseed(os.time() * 1000 + id * 7919) end
function request() return wrk.format("GET", string.format("/api/handles/88.999/SCALE-$SCALE_KEY_FORMAT", math.random(0, n - 1))) end
LUA
# The node's own statement (PostgresRecordStore.GetAsync), prepared, on the same key distribution.
cat >"$WORK/select.sql" <<'SQL'
\set i random(0, :n - 1)
SELECT handle, version, data, updated_at FROM handles WHERE key = '88.999/SCALE-' || :i;
SQL

# results.tsv: size  kind  round  rate  p50_ms  p99_ms  load1  cpu_us_per_request(server+postgres+client)
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS"; }
# CPU seconds used so far by the given processes and their direct children (reaped ones included):
# per request this is far less noisy than req/s on a shared machine.
cpu_s() { { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v roots=" $* " -v hz="$(getconf CLK_TCK)" \
  'index(roots, " " $1 " ") || index(roots, " " $4 " ") { t += $14 + $15 + $16 + $17 } END { printf "%.3f", t / hz }'; }
per_req() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { if (n > 0) printf "%.0f", (b - a) * 1e6 / n; else print "-" }'; }
PG_PM=""
TIMEFORMAT='%U %S'
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'; }
load1() { cut -d' ' -f1 /proc/loadavg; }

run_wrk() {
  local size=$1 kind=$2 round=$3 pid=$4 url=$5; shift 5
  local out rps p50 p99 n0 n1 g0 g1 c n cpu
  n0=$(cpu_s "$pid"); g0=$(cpu_s "$PG_PM")
  { time SCALE_N=$size wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency "$@" "$url" >"$WORK/wrk.out"; } 2>"$WORK/time.out"
  n1=$(cpu_s "$pid"); g1=$(cpu_s "$PG_PM")
  out=$(<"$WORK/wrk.out")
  n=$(awk '/ requests in / { print $1 }' <<<"$out")
  c=$(awk '{ print $1 + $2 }' "$WORK/time.out")
  cpu="$(per_req "$n0" "$n1" "$n")+$(per_req "$g0" "$g1" "$n")+$(per_req 0 "$c" "$n")"
  if grep -q "Non-2xx" <<<"$out"; then log "wrk $kind: non-2xx responses"; grep "Non-2xx" <<<"$out" >&2; fi
  rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
  log "$size $kind round $round: $rps req/s p50 ${p50}ms p99 ${p99}ms, CPU us/req node+pg+wrk $cpu (load $(load1))"
  record "$size" "$kind" "$round" "$rps" "$p50" "$p99" "$(load1)" "$cpu"
}

run_pgbench() {
  local size=$1 round=$2 out tps lat g0 g1 c n cpu
  g0=$(cpu_s "$PG_PM")
  { time "$PGBENCH" -h 127.0.0.1 -p "$PG_PORT" -U postgres -n -f "$WORK/select.sql" -D n="$size" \
    -c "$CONNS" -j 2 -T "$DURATION" -M prepared postgres >"$WORK/pgbench.out" 2>&1; } 2>"$WORK/time.out"
  g1=$(cpu_s "$PG_PM")
  out=$(<"$WORK/pgbench.out")
  tps=$(awk '/^tps/ { printf "%.0f", $3 }' <<<"$out")
  lat=$(awk '/^latency average/ { print $4 }' <<<"$out")
  n=$(awk '/number of transactions actually processed/ { print $NF }' <<<"$out")
  c=$(awk '{ print $1 + $2 }' "$WORK/time.out")
  cpu="0+$(per_req "$g0" "$g1" "$n")+$(per_req 0 "$c" "$n")"
  log "$size raw round $round: $tps tps, mean latency ${lat}ms, CPU us/tx pg+pgbench $cpu (load $(load1))"
  record "$size" raw "$round" "$tps" "mean $lat" "-" "$(load1)" "$cpu"
}

# The embedded store: SqliteFloor running the node's select in a loop (see the top), same key distribution.
run_floor() {
  local size=$1 round=$2 out threads=${IDNODE_SCALE_FLOOR_THREADS:-$(nproc)} rate cpu
  out=$(dotnet "$FLOOR_DLL" "$DB" "$size" "$PREFIX/SCALE-{0:D8}" "$threads" "$DURATION" 9>&- | grep '^FLOOR ')
  floor_field() { sed -E "s/.* $1=([^ ]+).*/\1/" <<<"$out"; }
  rate=$(floor_field rate); cpu=$(floor_field cpu_us)
  floor_field sqlite >"$WORK/sqlite-version"
  log "$size raw round $round: $rate selects/s on $threads threads, CPU us/select $cpu (load $(load1))"
  # mean ms = threads / rate: each thread's time per select, closed loop
  record "$size" raw "$round" "$rate" "mean $(awk -v t="$threads" -v r="$rate" 'BEGIN { printf "%.3f", t * 1000 / r }')" "-" "$(load1)" "0+$(printf '%.0f' "$cpu")+0"
}

if [ "$STORE" = sqlite ]; then
  HOT_URL="http://127.0.0.1:$HOT_PORT/api/handles/$PREFIX/SCALE-00000001"
  stop_nodes   # they created the schema; the database is filled with them stopped
else
  HOT_URL="http://127.0.0.1:$HOT_PORT/api/handles/$PREFIX/SCALE-1"
  PG_PM=$(head -n 1 "$PG_DATA/postmaster.pid")
fi
have=0
for size in $SIZES; do
  # ~750 B of stored JSON per row, ~1.15 KB on disk with the key, the index and slack, plus up to
  # max_wal_size (4 GB) of WAL while filling.
  need_kb=$(( (size - have) * 1200 / 1024 + 4 * 1024 * 1024 ))
  # SQLite: ~1.65 KB per row in the file (WITHOUT ROWID, the larger records in overflow pages), no WAL while filling
  if [ "$STORE" = sqlite ]; then need_kb=$(( (size - have) * 1700 / 1024 )); fi
  free_kb=$(df -Pk "$WORK" | awk 'NR == 2 { print $4 }')
  if [ "$free_kb" -lt $((need_kb + 2 * 1024 * 1024)) ]; then
    log "not enough disk for $size rows: need ~$((need_kb / 1024)) MB + 2 GB, $((free_kb / 1024)) MB free in $WORK"; break
  fi
  log "filling to $size rows"
  started=$(date +%s)
  step=500000; if [ "$STORE" = sqlite ]; then step=1000000; fi
  for ((lo = have; lo < size; lo += step)); do
    hi=$((lo + step < size ? lo + step : size))
    lock shared
    if [ "$STORE" = sqlite ]; then fill_sqlite "$lo" "$hi"; else fill "$lo" "$hi"; fi
    lock unlock
    # a measurement waiting for the lock gets it between steps
    if [ -n "${IDNODE_SCALE_LOCK:-}" ]; then sleep 1; fi
  done
  lock shared
  if [ "$STORE" = sqlite ]; then
    sqlite3 "$DB" "PRAGMA journal_mode=WAL;" >/dev/null
    table=$(du -h "$DB" | cut -f1)
  else
    "${PSQL[@]}" -c "VACUUM ANALYZE handles" -c "CHECKPOINT"
    table=$("${PSQL[@]}" -c "SELECT pg_size_pretty(pg_total_relation_size('handles'))")
  fi
  lock unlock
  have=$size
  log "$size rows in $(( $(date +%s) - started )) s; handles table + index: $table"
  printf '%s\t%s\n' "$size" "$table" >>"$WORK/sizes.tsv"
  lock exclusive
  log "measuring $size (load $(cut -d' ' -f1-3 /proc/loadavg))"
  if [ "$STORE" = sqlite ]; then start_nodes; fi
  # An unmeasured run of each first: JIT tiers settle and the pools fill.
  SCALE_N=$size wrk -t2 -c"$CONNS" -d15s -s "$WORK/cold.lua" "http://127.0.0.1:$COLD_PORT" >/dev/null
  wrk -t2 -c"$CONNS" -d5s "$HOT_URL" >/dev/null
  for r in $(seq "$ROUNDS"); do
    run_wrk "$size" cold "$r" "${PIDS[0]}" "http://127.0.0.1:$COLD_PORT" -s "$WORK/cold.lua"
    if [ "$STORE" = sqlite ]; then run_floor "$size" "$r"; else run_pgbench "$size" "$r"; fi
    run_wrk "$size" hot "$r" "${PIDS[1]}" "$HOT_URL"
  done
  if [ "$STORE" = sqlite ]; then stop_nodes; fi
  log "measured $size (load $(cut -d' ' -f1-3 /proc/loadavg))"
  lock unlock
done

# ---- table ----------------------------------------------------------------------------------
# median [printf format]
median() { sort -g | awk -v f="${1:-%.0f}" '{ v[NR] = $1 } END { if (NR == 0) print "-"; else printf f, (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
col() { awk -F'\t' -v s="$1" -v k="$2" -v c="$3" '$1 == s && $2 == k { print $c }' "$RESULTS" | sed 's/^mean //'; }
echo
if [ "$STORE" = sqlite ]; then STORE_DESC="SQLite $(cat "$WORK/sqlite-version" 2>/dev/null) (embedded)"; else STORE_DESC="PostgreSQL $("${PSQL[@]}" -c 'SHOW server_version')"; fi
echo "IdNode resolve vs. store size — $(date -u '+%Y-%m-%d %H:%M UTC'), $STORE_DESC, $(nproc) cores, $CONNS connections, ${DURATION}s runs, median of $ROUNDS interleaved rounds"
printf '%-9s %-8s | %7s %7s %7s %9s | %7s %7s %6s | %6s %6s | %7s %6s %6s | %s\n' rows "table" "cold/s" "p50 ms" "p99 ms" "CPU us" "raw/s" "mean ms" "CPU us" ratio "CPU" "hot/s" "p50 ms" "p99 ms" "load1"
RAW_MEAN_FMT=%.1f; if [ "$STORE" = sqlite ]; then RAW_MEAN_FMT=%.3f; fi   # SqliteFloor: tens of microseconds
while IFS=$'\t' read -r size table; do
  # ratio: per round cold / raw, then the median (rounds are interleaved, so a round shares its noise)
  ratio=$(paste <(col "$size" cold 4) <(col "$size" raw 4) | awk '$2 > 0 { print $1 / $2 }' | median %.2f)
  # CPU us per request: median of each part's sum; "CPU" ratio = raw's total / cold's total
  cold_cpu=$(col "$size" cold 8 | tr '+' ' ' | awk '{ print $1 + $2 + $3 }' | median)
  raw_cpu=$(col "$size" raw 8 | tr '+' ' ' | awk '{ print $1 + $2 + $3 }' | median)
  cold_parts=$(col "$size" cold 8 | sort -t+ -k1,1g | awk '{ v[NR] = $0 } END { print v[int((NR + 1) / 2)] }')
  printf '%-9s %-8s | %7s %7s %7s %9s | %7s %7s %6s | %6s %6s | %7s %6s %6s | %s\n' "$size" "$table" \
    "$(col "$size" cold 4 | median)" "$(col "$size" cold 5 | median %.1f)" "$(col "$size" cold 6 | median %.1f)" "$cold_parts" \
    "$(col "$size" raw 4 | median)" "$(col "$size" raw 5 | median "$RAW_MEAN_FMT")" "$raw_cpu" "$ratio" \
    "$(awk -v a="$raw_cpu" -v b="$cold_cpu" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')" \
    "$(col "$size" hot 4 | median)" "$(col "$size" hot 5 | median %.1f)" "$(col "$size" hot 6 | median %.1f)" \
    "$(col "$size" cold 7 | tr '\n' ' ')"
done <"$WORK/sizes.tsv"
echo
if [ "$STORE" = sqlite ]; then
echo "cold = node with L1 off, a uniformly random stored identifier per request (one SQLite read each, in the node), wrk + Lua; table = database file;"
echo "raw = loadtests/SqliteFloor: the node's select, connection PRAGMAs and column reads in a loop on ${IDNODE_SCALE_FLOOR_THREADS:-$(nproc)} threads, same keys (mean ms = threads / rate);"
echo "  ratio = cold / raw per round, median. hot = node with the default L1, one identifier (an L1 hit). load1 = load average at the end of each cold run."
echo "CPU us = CPU microseconds per request: cold node(incl. SQLite)+0+wrk (round with the median node share), raw 0+SqliteFloor+0;"
else
echo "cold = node with L1 off, a uniformly random stored identifier per request (one PostgreSQL read each), wrk + Lua;"
echo "raw = pgbench -M prepared running the node's select on the same keys and connections; ratio = cold / raw per round, median;"
echo "hot = node with the default L1, one identifier (an L1 hit). load1 = load average at the end of each cold run."
echo "CPU us = CPU microseconds per request: cold node+PostgreSQL+wrk (round with the median node share), raw PostgreSQL+pgbench;"
fi
echo "  CPU ratio = raw total / cold total: the throughput ratio to expect when the cores, not the scheduler, are the limit."
echo "All rounds (size kind round rate p50 p99 load1 cpu):"
sed 's/^/  /' "$RESULTS"
