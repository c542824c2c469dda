#!/usr/bin/env bash
# gRPC Resolve of one hot identifier: IdNode next to BareGrpc (the contract's method answering a
# pre-serialised copy of the node's own response), INTERLEAVED (node, bare, node, bare, ...) with
# the same connections and streams, loopback only. Two clients:
#   h2load (nghttp2-client) with a crafted request frame; percentiles from its per-request log;
#   the C# generator's grpc-hot scenario (Grpc.Net.Client), HdrHistogram percentiles.
#   loadtests/BareGrpc/resolve-h2load.sh [seconds] [connections] [streams-per-connection] [rounds]
# Environment: GRPC_BENCH_PORT_BASE (18000: node HTTP, +1 node h2c, +2 BareGrpc), GRPC_BENCH_SKIP_BUILD=1,
#   GRPC_BENCH_CLIENTS="h2load gen" (which clients), BAREGRPC_BIN (another BareGrpc build to compare).
set -euo pipefail
cd "$(dirname "$0")/../.."
D=${1:-10}; C=${2:-64}; M=${3:-1}; ROUNDS=${4:-3}
PB=${GRPC_BENCH_PORT_BASE:-18000}
HTTP=127.0.0.1:$PB; IDNODE=127.0.0.1:$((PB + 1)); BARE=127.0.0.1:$((PB + 2))
CLIENTS=" ${GRPC_BENCH_CLIENTS:-h2load gen} "
SECRET=bench-secret-$$ PREFIX=88.999 HOT=88.999/LOADTEST-HOT
WORK=$(mktemp -d /tmp/idnode-grpc-bench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
command -v h2load >/dev/null && command -v nghttp >/dev/null || { echo "h2load/nghttp missing: apt-get install nghttp2-client" >&2; exit 1; }

if [ "${GRPC_BENCH_SKIP_BUILD:-0}" != 1 ]; then
  for p in src/IdNode.Server loadtests/BareGrpc loadtests/IdNode.LoadTests; do
    dotnet build "$p" -c Release -v q -nologo >/dev/null
  done
fi
BARE_BIN=${BAREGRPC_BIN:-$PWD/loadtests/BareGrpc/bin/Release/net10.0}
GEN=$PWD/loadtests/IdNode.LoadTests/bin/Release/net10.0/IdNode.LoadTests.dll

# Run from the output folder so appsettings.json (the h2c-only Grpc endpoint) is the content root's.
(cd src/IdNode.Server/bin/Release/net10.0 && exec env Kestrel__Endpoints__Http__Url=http://$HTTP Kestrel__Endpoints__Grpc__Url=http://$IDNODE \
  IdNode__Node__Prefix=$PREFIX IdNode__Store__DataDirectory=$WORK/data IdNode__Bootstrap__AdminSecret=$SECRET \
  Logging__LogLevel__Default=Warning Logging__LogLevel__Microsoft.Hosting.Lifetime=Warning \
  dotnet IdNode.Server.dll >"$WORK/idnode.log" 2>&1) & PIDS+=($!)
up=0
for _ in $(seq 600); do curl -fs "http://$HTTP/alive" >/dev/null 2>&1 && { up=1; break; }; sleep 0.1; done
[ $up = 1 ] || { echo "the node did not start:" >&2; cat "$WORK/idnode.log" >&2; exit 1; }
# The same record as run.sh's hot identifier (the generator's own body).
dotnet "$GEN" --target "http://$HTTP" --scenario http-hot --hot "$HOT" --prefix $PREFIX --admin-secret "$SECRET" \
  --duration 0.2 --warmup 0 --connections 1 >/dev/null

# Request: 5-byte gRPC prefix (no compression, big-endian length) + ResolveRequest{handle}.
python3 - "$WORK/request.bin" "$HOT" <<'PY'
import struct, sys
handle = sys.argv[2].encode()
msg = b"\x0a" + bytes([len(handle)]) + handle
open(sys.argv[1], "wb").write(b"\x00" + struct.pack(">I", len(msg)) + msg)
PY
H=(-H 'content-type: application/grpc' -H 'te: trailers')
nghttp "${H[@]}" -H ':method: POST' -d "$WORK/request.bin" "http://$IDNODE/idnode.v1.Resolver/Resolve" >"$WORK/response.bin"

(cd "$BARE_BIN" && exec dotnet BareGrpc.dll "http://$BARE" "$WORK/response.bin" >"$WORK/bare.log" 2>&1) & PIDS+=($!)
for _ in $(seq 100); do nghttp "${H[@]}" -H ':method: POST' -d "$WORK/request.bin" "http://$BARE/idnode.v1.Resolver/Resolve" >"$WORK/bare.bin" 2>/dev/null && [ -s "$WORK/bare.bin" ] && break; sleep 0.2; done
cmp -s "$WORK/response.bin" "$WORK/bare.bin" && echo "same response bytes: $(stat -c %s "$WORK/response.bin") B" || echo "WARNING: responses differ"

h2() { # name host
  local log="$WORK/$1.log.tsv"
  rm -f "$log"
  h2load -D "$D" -c "$C" -m "$M" -t 2 "${H[@]}" -d "$WORK/request.bin" --log-file="$log" "http://$2/idnode.v1.Resolver/Resolve" >"$WORK/$1.out" 2>&1
  local rps
  rps=$(grep -oP 'finished in [^,]+, \K[0-9.]+(?= req/s)' "$WORK/$1.out")
  # h2load's log: start time, status, duration (µs) per request.
  sort -n -k3 "$log" | awk -v name="$1" -v rps="$rps" '$2 != 200 { bad++ } { d[NR] = $3 } END {
    printf "h2load %-7s %8.0f req/s  p50 %6.2f  p90 %6.2f  p99 %6.2f  p99.9 %6.2f ms  (%d requests, %d not 200)\n", name, rps,
      d[int(NR*0.50)]/1000, d[int(NR*0.90)]/1000, d[int(NR*0.99)]/1000, d[int(NR*0.999)]/1000, NR, bad }'
}
gen() { # name host
  local out
  out=$(DOTNET_GCgen0size=0x4000000 dotnet "$GEN" --scenario grpc-hot --grpc-target "http://$2" --hot "$HOT" --skip-setup --connections "$((C * M))" \
    --grpc-connections "$C" --duration "$D" --warmup 1 2>&1 | grep '^RESULT') || { echo "gen $1: failed"; return; }
  awk -v name="$1" '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } } END {
    printf "gen    %-7s %8.0f req/s  p50 %6.2f  p90 %6.2f  p99 %6.2f  p99.9 %6.2f ms  (%d requests, %d errors)\n", name, v["rps"],
      v["p50_ms"], v["p90_ms"], v["p99_ms"], v["p999_ms"], v["requests"], v["errors"] }' <<<"$out"
}
# Warm-up of both (JIT tiers, PGO, thread pool, GC budgets) before anything is measured: a fresh
# process measured straight away loses to a warmed one (the first comparisons in run.sh did that).
for host in "$IDNODE" "$BARE"; do
  h2load -D 3 -c "$C" -m "$M" -t 2 "${H[@]}" -d "$WORK/request.bin" "http://$host/idnode.v1.Resolver/Resolve" >/dev/null 2>&1
done
echo "${D}s runs, $C connections x $M streams, interleaved; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$ROUNDS"); do
  if [[ $CLIENTS == *" h2load "* ]]; then h2 idnode "$IDNODE"; h2 bare "$BARE"; fi
  if [[ $CLIENTS == *" gen "* ]]; then gen idnode "$IDNODE"; gen bare "$BARE"; fi
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
