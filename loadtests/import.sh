#!/usr/bin/env bash
# Bulk-import measurement: starts a throwaway PostgreSQL, then for each node build given (a folder
# with IdNode.Server.dll) and each path (http NDJSON, grpc Import) starts a fresh node on an empty
# database, streams IDNODE_IMPORT_COUNT generated identifiers, and samples the node process's
# VmRSS/VmHWM every second. The raw floor (binary COPY of the same rows through BulkInsertAsync,
# no node) runs in the same session. Interleave builds: import.sh BIN_A BIN_B runs A B A B ...
# Settings: IDNODE_IMPORT_COUNT=1000000 IDNODE_IMPORT_ROUNDS=1 IDNODE_IMPORT_PATHS="http grpc floor"
#           IDNODE_TEST_PG_PORT=55432 IDNODE_IMPORT_PORT_BASE=47600 (node http, +1 h2c)
# Everything listens on 127.0.0.1 only; everything started here is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
COUNT=${IDNODE_IMPORT_COUNT:-1000000}
ROUNDS=${IDNODE_IMPORT_ROUNDS:-1}
PATHS=${IDNODE_IMPORT_PATHS:-http grpc floor}
PG_PORT=${IDNODE_TEST_PG_PORT:-55432}
BASE=${IDNODE_IMPORT_PORT_BASE:-47600}
SECRET=import-secret-$$
WORK=$(mktemp -d /tmp/idnode-import.XXXXXX)
NODE_PID="" PG_BIN="" DB=0
LOADER=$ROOT/loadtests/ImportLoad/bin/Release/net10.0/ImportLoad.dll
[ $# -gt 0 ] || set -- "$ROOT/src/IdNode.Server/bin/Release/net10.0"

log() { printf '[import.sh] %s\n' "$*" >&2; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
stop_node() {
  [ -n "$NODE_PID" ] || return 0
  kill "$NODE_PID" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$NODE_PID" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$NODE_PID" 2>/dev/null || true
  NODE_PID=""
}
cleanup() {
  stop_node
  [ -f "$WORK/pg/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -f "$LOADER" ] || dotnet build -c Release -nologo -v q loadtests/ImportLoad >/dev/null
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
chmod 755 "$WORK"; [ "$(id -u)" = 0 ] && chown postgres "$WORK"
as_pg "$PG_BIN/initdb" -D "$WORK/pg" -U postgres --auth=trust -E UTF8 --no-locale --no-sync >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg.log" -w -t 60 \
  -o "-p $PG_PORT -k $WORK -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300 -c shared_buffers=256MB" start >/dev/null
PG="Host=127.0.0.1;Port=$PG_PORT;Username=postgres"
fresh_db() { psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE imp$DB" >/dev/null; echo "$PG;Database=imp$DB"; }

# Samples VmRSS and VmHWM (kB) of $1 every second into $2 until the process ends.
sample() { while [ -r "/proc/$1/status" ]; do awk '/^VmRSS|^VmHWM/ { printf "%s ", $2 } END { print "" }' "/proc/$1/status" >>"$2" 2>/dev/null || true; sleep 1; done; }

# CPU seconds (user + system) used so far by the given processes.
cpu_s() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo $((t / $(getconf CLK_TCK))); }

run_one() {
  local bin=$1 path=$2 label=$3 conn out
  DB=$((DB + 1))
  conn=$(fresh_db)
  if [ "$path" = floor ]; then
    out=$(dotnet "$LOADER" --via floor --pg "$conn" --count "$COUNT" | grep RESULT)
    printf '%s\t%s\t%s\tload=%s\n' "$label" floor "$out" "$(cut -d' ' -f1-3 /proc/loadavg)"
    return
  fi
  (cd "$bin" && exec env IdNode__Node__Prefix=88.999 IdNode__Store__Kind=postgres ConnectionStrings__Postgres="$conn" \
     IdNode__Bootstrap__AdminSecret="$SECRET" Kestrel__Endpoints__Http__Url=http://127.0.0.1:$BASE \
     Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:$((BASE + 1)) Logging__LogLevel__Default=Warning \
     dotnet IdNode.Server.dll) >"$WORK/node.log" 2>&1 &
  NODE_PID=$!
  for _ in $(seq 300); do curl -fsS -o /dev/null "http://127.0.0.1:$BASE/alive" 2>/dev/null && break; sleep 0.1; done
  local samples=$WORK/rss.$label.$path
  : >"$samples"
  sample "$NODE_PID" "$samples" &
  local sampler=$!
  local target=http://127.0.0.1:$BASE
  [ "$path" = grpc ] && target=http://127.0.0.1:$((BASE + 1))
  local start_rss
  start_rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$NODE_PID/status")
  out=$(dotnet "$LOADER" --via "$path" --target "$target" --count "$COUNT" --admin-secret "$SECRET" | grep RESULT || echo "RESULT failed")
  local hwm rss_end node_cpu pg_cpu
  node_cpu=$(cpu_s "$NODE_PID")
  pg_cpu=$(cpu_s $(head -n 1 "$WORK/pg/postmaster.pid") $(ps -o pid= --ppid "$(head -n 1 "$WORK/pg/postmaster.pid")"))
  hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$NODE_PID/status")
  rss_end=$(awk '/^VmRSS/ { print $2 }' "/proc/$NODE_PID/status")
  stop_node
  wait "$sampler" 2>/dev/null || true
  printf '%s\t%s\t%s\tstart_rss=%dMiB end_rss=%dMiB hwm=%dMiB cpu_node=%ss cpu_pg=%ss load=%s\n' "$label" "$path" "$out" $((start_rss / 1024)) $((rss_end / 1024)) $((hwm / 1024)) "$node_cpu" "$pg_cpu" "$(cut -d' ' -f1-3 /proc/loadavg)"
  [ -n "${IDNODE_IMPORT_TRACE:-}" ] && awk '{ printf "%d ", $1 / 1024 } END { print "" }' "$samples" >&2
  return 0
}

for round in $(seq "$ROUNDS"); do
  for path in $PATHS; do
    if [ "$path" = floor ]; then run_one "" floor "r$round"; continue; fi
    i=0
    for bin in "$@"; do i=$((i + 1)); run_one "$bin" "$path" "r$round.bin$i"; done
  done
done
