#!/usr/bin/env bash
# gRPC Resolve of one hot identifier: IdNode next to BareGrpc (same contract, fixed answer),
# measured in the same run with h2load (Debian: nghttp2-client), loopback only.
#   loadtests/BareGrpc/resolve-h2load.sh [requests] [clients] [streams-per-client] [rounds]
# Prints req/s, p50 and p99 per server and round (percentiles from h2load's per-request log).
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-200000}; C=${2:-16}; M=${3:-32}; ROUNDS=${4:-2}
HTTP=127.0.0.1:18000; IDNODE=127.0.0.1:18001; BARE=127.0.0.1:18002
WORK=$(mktemp -d /tmp/idnode-grpc-bench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
command -v h2load >/dev/null || { echo "h2load missing: apt-get install nghttp2-client" >&2; exit 1; }

dotnet build src/IdNode.Server/IdNode.Server.csproj -c Release -v q -nologo >/dev/null
dotnet build loadtests/BareGrpc/BareGrpc.csproj -c Release -v q -nologo >/dev/null

# Run from the output folder so appsettings.json (the h2c-only Grpc endpoint) is the content root's.
(cd src/IdNode.Server/bin/Release/net10.0 && Kestrel__Endpoints__Http__Url=http://$HTTP Kestrel__Endpoints__Grpc__Url=http://$IDNODE \
  IdNode__Store__DataDirectory=$WORK/data IdNode__Bootstrap__AdminSecret=bench-secret Logging__LogLevel__Default=Warning \
  exec dotnet IdNode.Server.dll >"$WORK/idnode.log" 2>&1) & PIDS+=($!)
for _ in $(seq 100); do curl -fs "http://$HTTP/health" >/dev/null 2>&1 && break; sleep 0.2; done

curl -fs -X PUT -u '300%3A88.999/ADMIN:bench-secret' -H 'content-type: application/json' \
  -d '{"values":[{"index":1,"type":"URL","data":{"format":"string","value":"https://example.cn/p/hot"}},{"index":2,"type":"EMAIL","data":"ops@example.cn"}]}' \
  "http://$HTTP/api/handles/88.999.1/hot" >/dev/null

# Request: 5-byte gRPC prefix (no compression, big-endian length) + ResolveRequest{handle}.
python3 - "$WORK/request.bin" <<'PY'
import struct, sys
handle = b"88.999.1/hot"
msg = b"\x0a" + bytes([len(handle)]) + handle
open(sys.argv[1], "wb").write(b"\x00" + struct.pack(">I", len(msg)) + msg)
PY
H=(-H 'content-type: application/grpc' -H 'te: trailers')
nghttp "${H[@]}" -H ':method: POST' -d "$WORK/request.bin" "http://$IDNODE/idnode.v1.Resolver/Resolve" >"$WORK/response.bin"

(cd loadtests/BareGrpc/bin/Release/net10.0 && exec dotnet BareGrpc.dll "http://$BARE" "$WORK/response.bin" >"$WORK/bare.log" 2>&1) & PIDS+=($!)
for _ in $(seq 100); do nghttp "${H[@]}" -H ':method: POST' -d "$WORK/request.bin" "http://$BARE/idnode.v1.Resolver/Resolve" >"$WORK/bare.bin" 2>/dev/null && [ -s "$WORK/bare.bin" ] && break; sleep 0.2; done
cmp -s "$WORK/response.bin" "$WORK/bare.bin" && echo "same response bytes: $(stat -c %s "$WORK/response.bin") B" || echo "WARNING: responses differ"

run() { # name host
  local log="$WORK/$1.log.tsv"
  rm -f "$log"
  h2load -n "$N" -c "$C" -m "$M" "${H[@]}" -d "$WORK/request.bin" --log-file="$log" "http://$2/idnode.v1.Resolver/Resolve" >"$WORK/$1.out"
  local rps ok
  rps=$(grep -oP 'finished in [^,]+, \K[0-9.]+(?= req/s)' "$WORK/$1.out")
  ok=$(grep -oP '[0-9]+(?= succeeded)' "$WORK/$1.out")
  # h2load's log: start time (µs), status, duration (µs) per request.
  sort -n -k3 "$log" | awk -v name="$1" -v rps="$rps" -v ok="$ok" '{d[NR]=$3} END {
    printf "%-7s %10.0f req/s  p50 %7.2f ms  p99 %7.2f ms  (%d ok of %d)\n", name, rps, d[int(NR*0.50)]/1000, d[int(NR*0.99)]/1000, ok, NR }'
}
h2load -n 20000 -c "$C" -m "$M" "${H[@]}" -d "$WORK/request.bin" "http://$IDNODE/idnode.v1.Resolver/Resolve" >/dev/null   # warm-up (JIT, PGO)
h2load -n 20000 -c "$C" -m "$M" "${H[@]}" -d "$WORK/request.bin" "http://$BARE/idnode.v1.Resolver/Resolve" >/dev/null
echo "h2load -n $N -c $C -m $M; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$ROUNDS"); do
  run idnode "$IDNODE"
  run bare "$BARE"
done
