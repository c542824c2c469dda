#!/usr/bin/env bash
# A/B of server-side settings for the open-loop tail (issue 6, "p99 <= 2 ms at half the maximum").
# Starts one embedded node per variant (each its own data directory and port) plus the bare
# baseline, all on core 1 (taskset; IDNODE_AB_PIN=0: unpinned), and runs the generator's raw client
# (open loop, one thread, no allocation per request) on core 0 against each in turn, interleaved,
# for ROUNDS rounds. Only the server under test is busy at any time; the others sit idle.
#
#   loadtests/p99-ab.sh RATE ROUNDS [VARIANT...]
#   VARIANT = environment assignments for that node, space-separated, or "-" for the defaults, e.g.
#   loadtests/p99-ab.sh 15000 3 - "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1"
#   A token IDNODE_AB_BIN=<dir> in a variant runs the node from that build output instead (a patched build).
# IDNODE_AB_RT=1: every run twice, as is and with server (all threads, chrt -a -p) and client at
# SCHED_FIFO priority 1, so neighbours on the shared cores cannot delay either (a measurement aid,
# not a deployment setting).
# IDNODE_AB_CLIENT_ARGS: extra generator options, e.g. "--spin" (the pinned client busy-polls).
# Settings: IDNODE_AB_DURATION (5 s per run), IDNODE_AB_CONNECTIONS (64), IDNODE_LOAD_PORT_BASE
# (48300: nodes base+10.. and their h2c base+30.., baseline base+100/101), IDNODE_LOAD_SKIP_BUILD=1. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RATE=${1:?rate}; ROUNDS=${2:?rounds}; shift 2
[ $# -gt 0 ] || set -- -
DURATION=${IDNODE_AB_DURATION:-5}
CONNS=${IDNODE_AB_CONNECTIONS:-64}
BASE=${IDNODE_LOAD_PORT_BASE:-48300}
PREFIX=88.999 HOT=88.999/LOADTEST-HOT SECRET=ab-secret-$$
if [ "${IDNODE_AB_PIN:-1}" = 1 ]; then SRV="taskset -c 1" CLI="taskset -c 0"; else SRV="" CLI=""; fi
WORK=$(mktemp -d /tmp/idnode-ab.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "${IDNODE_LOAD_SKIP_BUILD:-0}" != 1 ]; then
  for p in src/IdNode.Server loadtests/Baseline loadtests/IdNode.LoadTests; do dotnet build -c Release -nologo -v q "$p" >/dev/null; done
fi
SERVER_BIN=$ROOT/src/IdNode.Server/bin/Release/net10.0
GEN=$ROOT/loadtests/IdNode.LoadTests/bin/Release/net10.0/IdNode.LoadTests.dll
up() { for _ in $(seq 300); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done; return 1; }

echo "p99 A/B at $RATE req/s, $ROUNDS rounds, ${DURATION}s each, $CONNS connections, server '${SRV:-unpinned}', client '${CLI:-unpinned}'; load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
NAMES=() PORTS=()
i=0
for v in "$@"; do
  port=$((BASE + 10 + i)); i=$((i + 1))
  envs=(); [ "$v" = - ] || read -r -a envs <<<"$v"
  bin=$SERVER_BIN rest=()
  for e in "${envs[@]}"; do if [[ $e == IDNODE_AB_BIN=* ]]; then bin=${e#IDNODE_AB_BIN=}; else rest+=("$e"); fi; done
  envs=("${rest[@]}")
  (cd "$bin" && exec env IdNode__Node__Prefix=$PREFIX IdNode__Store__DataDirectory="$WORK/data$i" IdNode__Store__SyncEveryCommit=false \
    IdNode__Bootstrap__AdminSecret="$SECRET" Kestrel__Endpoints__Http__Url=http://127.0.0.1:$port Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:$((port + 20)) \
    Logging__LogLevel__Default=Warning "${envs[@]}" $SRV dotnet IdNode.Server.dll) >"$WORK/node$i.log" 2>&1 &
  PIDS+=($!)
  up "http://127.0.0.1:$port/alive" || { echo "node '$v' did not start" >&2; cat "$WORK/node$i.log" >&2; exit 1; }
  dotnet "$GEN" --target "http://127.0.0.1:$port" --scenario http-hot --hot "$HOT" --prefix $PREFIX --admin-secret "$SECRET" \
    --duration 0.5 --warmup 0 --connections 1 >/dev/null
  NAMES+=("node $v") PORTS+=("$port")
done
curl -fsS -o "$WORK/hot.json" "http://127.0.0.1:${PORTS[0]}/api/handles/$HOT"
$SRV dotnet "$ROOT/loadtests/Baseline/bin/Release/net10.0/Baseline.dll" --body "$WORK/hot.json" --http1 $((BASE + 100)) --h2c $((BASE + 101)) >"$WORK/baseline.log" 2>&1 &
PIDS+=($!)
up "http://127.0.0.1:$((BASE + 100))/api/handles/$HOT" || { echo "baseline did not start" >&2; exit 1; }
NAMES+=(baseline) PORTS+=($((BASE + 100)))
SPIDS=("${PIDS[@]}")
MODES=(normal); [ "${IDNODE_AB_RT:-0}" = 1 ] && MODES+=(fifo)

# Warm every server (JIT tiers) with a short closed-loop burst first.
for port in "${PORTS[@]}"; do $CLI wrk -t1 -c"$CONNS" -d3s "http://127.0.0.1:$port/api/handles/$HOT" >/dev/null; done
for r in $(seq "$ROUNDS"); do
  for k in "${!PORTS[@]}"; do
   for mode in "${MODES[@]}"; do
    prio=""
    if [ "$mode" = fifo ]; then chrt -a -f -p 1 "${SPIDS[$k]}" >/dev/null; prio="chrt -f 1"; fi
    line=$($CLI $prio dotnet "$GEN" --target "http://127.0.0.1:${PORTS[$k]}" --scenario http-hot --hot "$HOT" --skip-setup --client raw ${IDNODE_AB_CLIENT_ARGS:-} \
      --mode open --rate "$RATE" --duration "$DURATION" --connections "$CONNS" | grep '^RESULT ' || echo "RESULT status=failed")
    f() { sed -E "s/.* $1=([0-9.]+).*/\1/" <<<"$line"; }
    [ "$mode" = fifo ] && chrt -a -o -p 0 "${SPIDS[$k]}" >/dev/null
    printf 'round %s  %-6s %-60s p50 %s p90 %s p99 %s p99.9 %s ms | from send p99 %s | lag p99 %s | errors %s\n' "$r" "$mode" "${NAMES[$k]}" \
      "$(f p50_ms)" "$(f p90_ms)" "$(f p99_ms)" "$(f p999_ms)" "$(f service_p99_ms)" "$(f send_lag_p99_ms)" "$(f errors)"
   done
  done
done
echo "load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
