#!/usr/bin/env bash
# End-to-end load test: builds Release, starts the node (embedded mode by default) and a bare
# Kestrel baseline serving the node's hot response from memory, runs wrk and h2load against both
# INTERLEAVED (node, baseline, node, baseline...: a noisy neighbour hits both alike), then the C#
# generator's scenarios, and prints one table with each scenario's ratio to the baseline.
# Everything listens on 127.0.0.1 only; everything started here is killed on exit.
#
# Settings (environment):
#   IDNODE_LOAD_DURATION=10     seconds per wrk/h2load run and per generator hot run
#   IDNODE_LOAD_GEN_DURATION=5  seconds per other generator scenario
#   IDNODE_LOAD_ROUNDS=2        interleaved node/baseline rounds for every comparison (best of each is kept;
#                               open loop: the round with the median p99)
#   IDNODE_LOAD_CONNECTIONS=64  connections for every tool
#   IDNODE_LOAD_IDENTIFIERS=10000  identifiers of the warm/cold/mix scenarios
#   IDNODE_LOAD_PORT_BASE=47300 node HTTP = base, node h2c = base+1, baseline = base+100/+101
#   IDNODE_LOAD_PRODUCTION=1    production mode: PostgreSQL store (ConnectionStrings__Postgres, or a throwaway
#                               cluster started here) and, when the node has it, the Redis cache
#                               (ConnectionStrings__Redis, or a throwaway redis-server).
#   IDNODE_LOAD_SKIP_BUILD=1    use the existing Release build
#   IDNODE_LOAD_ONLY="wrk h2load grpc gen p99"  which parts to run (e.g. IDNODE_LOAD_ONLY=wrk for the ratio alone;
#                               "batch" runs only the production-mode batch rows, which "gen" includes)
#                               "l2": the warm-from-Redis rows alone (production mode; they also run with "gen")
#   IDNODE_LOAD_BATCH_FLOOR=0   batch part: skip the COPY floor between rounds (a long steady-state run of
#                               the node alone: IDNODE_LOAD_ROUNDS=1 IDNODE_LOAD_GEN_DURATION=120)
#   IDNODE_LOAD_GRPC_WARMUP=10  seconds of h2load gRPC warm-up for the node and for BareGrpc before the gRPC rounds
#   IDNODE_LOAD_PIN=1           p99 part: server (node or baseline) on core 1, every client on core 0 (taskset);
#                               IDNODE_LOAD_PIN=0 runs the same part unpinned. Needs >= 2 cores.
#   IDNODE_LOAD_P99_HTTPCLIENT=0  p99 part: skip the HttpClient open-loop rows (the raw client's are always run)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

DURATION=${IDNODE_LOAD_DURATION:-10}
GEN_DURATION=${IDNODE_LOAD_GEN_DURATION:-5}
ROUNDS=${IDNODE_LOAD_ROUNDS:-2}
ONLY=" ${IDNODE_LOAD_ONLY:-wrk h2load grpc gen p99} "
CONNS=${IDNODE_LOAD_CONNECTIONS:-64}
IDS=${IDNODE_LOAD_IDENTIFIERS:-10000}
BASE=${IDNODE_LOAD_PORT_BASE:-47300}
NODE_HTTP=$BASE NODE_H2C=$((BASE + 1)) BASE_HTTP=$((BASE + 100)) BASE_H2C=$((BASE + 101)) BARE_GRPC=$((BASE + 102))
PREFIX=88.999
SECRET=load-test-secret-$$
HOT=$PREFIX/LOADTEST-HOT
WORK=$(mktemp -d /tmp/idnode-load.XXXXXX)
RESULTS=$WORK/results.tsv
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
NODE_PID="" BASE_PID="" REDIS_PID="" BAREGRPC_PID="" PG_BIN="" PG_DATA=""

# A wrk script asking for a uniformly random one of the $IDS registered identifiers per request.
random_ids_lua() {
  cat >"$1" <<LUA
local n = $IDS
local threads = 0
function setup(thread) threads = threads + 1; thread:set("id", threads) end
function init(args) math.randomseed(os.time() * 1000 + id * 7919) end
function request() return wrk.format("GET", string.format("/api/handles/$PREFIX/LOADTEST-%08d", math.random(0, n - 1))) end
LUA
}

log() { printf '[run.sh] %s\n' "$*" >&2; }

stop() {
  local pid=$1
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}
cleanup() {
  stop "$NODE_PID"
  stop "$BASE_PID"
  stop "$REDIS_PID"
  stop "$BAREGRPC_PID"
  if [ -n "$PG_DATA" ] && [ -f "$PG_DATA/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- tools --------------------------------------------------------------------------------
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v h2load >/dev/null || missing+=(nghttp2-client)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } \
      || log "apt-get install failed for: ${missing[*]}"
  else
    log "missing and cannot install (not root or no apt-get): ${missing[*]}"
  fi
fi
command -v curl >/dev/null || { log "curl is required"; exit 1; }

# ---- build --------------------------------------------------------------------------------
if [ "${IDNODE_LOAD_SKIP_BUILD:-0}" != 1 ]; then
  log "building Release"
  for p in src/IdNode.Server loadtests/Baseline loadtests/BareGrpc loadtests/IdNode.LoadTests; do
    dotnet build -c Release -nologo -v q "$p" >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }
  done
fi
SERVER_BIN=$ROOT/src/IdNode.Server/bin/Release/net10.0
BASELINE_DLL=$ROOT/loadtests/Baseline/bin/Release/net10.0/Baseline.dll
BAREGRPC_BIN=$ROOT/loadtests/BareGrpc/bin/Release/net10.0
GEN_DLL=$ROOT/loadtests/IdNode.LoadTests/bin/Release/net10.0/IdNode.LoadTests.dll

for port in $NODE_HTTP $NODE_H2C $BASE_HTTP $BASE_H2C $BARE_GRPC; do
  if (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null; then
    log "port $port is already in use: set IDNODE_LOAD_PORT_BASE to a free range"; exit 1
  fi
done

# ---- node ---------------------------------------------------------------------------------
MODE=embedded
NODE_ENV=()
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "${IDNODE_LOAD_PRODUCTION:-0}" = 1 ]; then
  MODE=production
  # Store: PostgreSQL from ConnectionStrings__Postgres, or a throwaway cluster on loopback.
  if [ -z "${ConnectionStrings__Postgres:-}" ]; then
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -x "$PG_BIN/initdb" ] || { log "production mode needs PostgreSQL (apt-get install postgresql, or set ConnectionStrings__Postgres)"; exit 1; }
    PG_DATA=$WORK/pg; PG_PORT=$((BASE + 200))
    chmod 755 "$WORK"; [ "$(id -u)" = 0 ] && chown postgres "$WORK"
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --no-locale --no-sync >/dev/null
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$WORK/pg.log" -w -t 60 \
      -o "-p $PG_PORT -k $WORK -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB" start >/dev/null
    export ConnectionStrings__Postgres="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"
    log "PostgreSQL on 127.0.0.1:$PG_PORT"
  fi
  NODE_ENV+=(IdNode__Store__Kind=postgres)
  # Cache: Redis when this build of the node has it (feat/redis); otherwise the in-process cache.
  if grep -q '"redis"' "$ROOT"/src/IdNode.Server/Hosting/*.cs 2>/dev/null; then
    if [ -z "${ConnectionStrings__Redis:-}" ]; then
      command -v redis-server >/dev/null || { log "production mode needs redis-server (or set ConnectionStrings__Redis)"; exit 1; }
      REDIS_PORT=$((BASE + 201))
      redis-server --port $REDIS_PORT --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 &
      REDIS_PID=$!
      export ConnectionStrings__Redis="127.0.0.1:$REDIS_PORT"
    fi
    NODE_ENV+=(IdNode__Cache__Kind=redis)
  else
    log "this build has no Redis cache yet: production mode runs PostgreSQL + the in-process cache"
  fi
fi

wait_http() {
  local url=$1 pid=$2
  for _ in $(seq 300); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# Extra arguments are environment assignments (e.g. IdNode__Cache__L1MaxBytes=0).
start_node() {
  # The content root is the working directory: run from the output folder so appsettings.json is read.
  (cd "$SERVER_BIN" && exec env \
    IdNode__Node__Prefix=$PREFIX \
    IdNode__Store__DataDirectory="$WORK/data" \
    IdNode__Store__SyncEveryCommit=false \
    IdNode__Bootstrap__AdminSecret="$SECRET" \
    Kestrel__Endpoints__Http__Url=http://127.0.0.1:$NODE_HTTP \
    Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:$NODE_H2C \
    Logging__LogLevel__Default=Warning \
    Logging__LogLevel__Microsoft.Hosting.Lifetime=Warning \
    "${NODE_ENV[@]}" "$@" \
    ${SERVER_WRAP:-} dotnet IdNode.Server.dll) >"$WORK/node.log" 2>&1 &
  NODE_PID=$!
  wait_http "http://127.0.0.1:$NODE_HTTP/alive" "$NODE_PID" || { log "node did not start"; cat "$WORK/node.log" >&2; exit 1; }
}

log "starting the node ($MODE) on 127.0.0.1:$NODE_HTTP (h2c :$NODE_H2C)"
start_node

# Register the hot identifier with the generator's own record body, then fetch the exact bytes.
dotnet "$GEN_DLL" --target "http://127.0.0.1:$NODE_HTTP" --scenario http-hot --hot "$HOT" --prefix $PREFIX \
  --admin-secret "$SECRET" --duration 0.5 --warmup 0 --connections 1 >/dev/null
curl -fsS -o "$WORK/hot.json" "http://127.0.0.1:$NODE_HTTP/api/handles/$HOT"
log "hot response: $(wc -c <"$WORK/hot.json") bytes"

log "starting the baseline on 127.0.0.1:$BASE_HTTP (h2c :$BASE_H2C)"
dotnet "$BASELINE_DLL" --body "$WORK/hot.json" --http1 $BASE_HTTP --h2c $BASE_H2C >"$WORK/baseline.log" 2>&1 &
BASE_PID=$!
wait_http "http://127.0.0.1:$BASE_HTTP/api/handles/$HOT" "$BASE_PID" || { log "baseline did not start"; cat "$WORK/baseline.log" >&2; exit 1; }
cmp -s "$WORK/hot.json" <(curl -fsS "http://127.0.0.1:$BASE_HTTP/api/handles/$HOT") || { log "baseline serves different bytes"; exit 1; }

# results.tsv: key  tool  req/s  p50_ms  p99_ms
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS"; }

# wrk latency "515.00us" / "2.03ms" / "1.20s" -> ms
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'; }

run_wrk() {
  local key=$1 url=$2 out
  out=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency "${@:3}" "$url")
  local rps p50 p99
  rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
  if grep -q "Non-2xx" <<<"$out"; then log "wrk $key: non-2xx responses"; grep "Non-2xx" <<<"$out" >&2; fi
  log "wrk $key: $rps req/s p50 ${p50}ms p99 ${p99}ms"
  record "$key" wrk "$rps" "$p50" "$p99"
}

run_h2load() {
  local key=$1 url=$2 out
  # h2load speaks h2c with prior knowledge to http:// URLs; it prints the mean, not percentiles.
  out=$(h2load -t2 -c"$CONNS" -m1 -D "$DURATION" "$url" 2>&1)
  local rps mean
  rps=$(awk '/^finished in/ { gsub(",", "", $4); printf "%.0f", $4 }' <<<"$out")
  mean=$(awk '/^time for request:/ { print $6 }' <<<"$out")
  log "h2load $key: $rps req/s mean ${mean}"
  record "$key" h2load "$rps" "mean $(to_ms "$mean")" "-"
}

# The generator's gen-0 budget: 64 MiB. It allocates ~1-2 KB per request (HttpClient /
# Grpc.Net.Client); with the default budget it collected every few thousand requests, and on a
# loaded 2-core machine each collection stalled all its senders for tens of milliseconds (thread
# suspension waits for descheduled threads), which the open loop then reports as server latency.
# Measured against the baseline at 5000 req/s: 4 -> 1 client GCs per 5 s run. Only the environment
# variable is honoured (System.GC.Gen0Size in runtimeconfig.json is not), hence here.
GEN_GEN0=0x4000000
# GEN_TOOL=ggen for the gRPC rows (their ratio is to the generator's BareGrpc row, not the HTTP one).
run_gen() {
  local key=$1; shift
  local tool=${GEN_TOOL:-gen} out line
  out=$(DOTNET_GCgen0size=$GEN_GEN0 ${GEN_WRAP:-} dotnet "$GEN_DLL" --prefix $PREFIX --admin-secret "$SECRET" --connections "$CONNS" --identifiers "$IDS" "$@" 2>&1) || true
  line=$(grep '^RESULT ' <<<"$out" | tail -n 1)
  if [[ $line != *status=ok* ]]; then
    log "generator $key: ${line:-no result}"; grep -v '^RESULT ' <<<"$out" | tail -n 5 >&2 || true
    record "$key" "$tool" "${line##*status=}" "-" "-"
    return
  fi
  field() { sed -E "s/.* $1=([0-9.]+).*/\1/" <<<"$line"; }
  local rps p50 p99 errors
  rps=$(field rps); p50=$(field p50_ms); p99=$(field p99_ms); errors=$(field errors)
  [ "${GEN_ITEMS:-0}" = 1 ] && rps=$(field items_per_s)   # batch rows: identifiers/s, latencies per call
  [ "$errors" = 0 ] || log "generator $key: $errors errors"
  if [[ $line == *mode=open* ]]; then
    printf '  %-34s from due: p50 %s p90 %s p99 %s p99.9 %s ms | from send: p50 %s p99 %s p99.9 %s ms | send lag mean %s p99 %s ms | client GCs %s (%s ms)\n' \
      "$key" "$p50" "$(field p90_ms)" "$p99" "$(field p999_ms)" "$(field service_p50_ms)" "$(field service_p99_ms)" "$(field service_p999_ms)" \
      "$(field send_lag_ms)" "$(field send_lag_p99_ms)" "$(field client_gcs)" "$(field client_gc_pause_ms)" >>"$WORK/open-notes"
  fi
  log "generator $key: $rps req/s p50 ${p50}ms p99 ${p99}ms"
  record "$key" "$tool" "$rps" "$p50" "$p99"
}

best() { awk -F'\t' -v k="$1" -v t="$2" '$1 == k && $2 == t && $3 + 0 > best + 0 { best = $3; line = $0 } END { print line }' "$RESULTS"; }
# Open-loop rows run at a fixed rate, so "best" by req/s means nothing: the round with the median p99.
median_p99() { awk -F'\t' -v k="$1" -v t="$2" '$1 == k && $2 == t' "$RESULTS" | sort -t$'\t' -k5,5g | awk '{ l[NR] = $0 } END { if (NR) print l[int((NR + 1) / 2)] }'; }

NODE_URL="http://127.0.0.1:$NODE_HTTP/api/handles/$HOT"
BASE_URL="http://127.0.0.1:$BASE_HTTP/api/handles/$HOT"

# ---- wrk (HTTP/1.1), interleaved ----------------------------------------------------------
if [[ $ONLY == *" wrk "* ]] && command -v wrk >/dev/null; then
  # A short unmeasured run of each first: JIT tiers and the connection pool settle.
  wrk -t2 -c"$CONNS" -d2s "$NODE_URL" >/dev/null
  wrk -t2 -c"$CONNS" -d2s "$BASE_URL" >/dev/null
  for r in $(seq "$ROUNDS"); do
    run_wrk "hot http node" "$NODE_URL"
    run_wrk "hot http baseline" "$BASE_URL"
  done
fi

# ---- h2load (HTTP/2 h2c), interleaved -----------------------------------------------------
if [[ $ONLY == *" h2load "* ]] && command -v h2load >/dev/null; then
  for r in $(seq "$ROUNDS"); do
    run_h2load "hot h2c node" "http://127.0.0.1:$NODE_H2C/api/handles/$HOT"
    run_h2load "hot h2c baseline" "http://127.0.0.1:$BASE_H2C/api/handles/$HOT"
  done
fi

# ---- gRPC Resolve (h2load), node vs. loadtests/BareGrpc serving the node's own response frame --
if [[ $ONLY == *" grpc "* ]] && command -v h2load >/dev/null && command -v nghttp >/dev/null; then
  # Request: 5-byte gRPC prefix (uncompressed, big-endian length) + ResolveRequest{handle = $HOT}.
  python3 - "$WORK/request.bin" "$HOT" <<'PY'
import struct, sys
handle = sys.argv[2].encode()
msg = b"\x0a" + bytes([len(handle)]) + handle
open(sys.argv[1], "wb").write(b"\x00" + struct.pack(">I", len(msg)) + msg)
PY
  GH=(-H 'content-type: application/grpc' -H 'te: trailers')
  nghttp "${GH[@]}" -H ':method: POST' -d "$WORK/request.bin" "http://127.0.0.1:$NODE_H2C/idnode.v1.Resolver/Resolve" >"$WORK/grpc-response.bin"
  (cd "$BAREGRPC_BIN" && exec dotnet BareGrpc.dll "http://127.0.0.1:$BARE_GRPC" "$WORK/grpc-response.bin") >"$WORK/baregrpc.log" 2>&1 &
  BAREGRPC_PID=$!
  for _ in $(seq 100); do
    nghttp "${GH[@]}" -H ':method: POST' -d "$WORK/request.bin" "http://127.0.0.1:$BARE_GRPC/idnode.v1.Resolver/Resolve" >"$WORK/bare.bin" 2>/dev/null && [ -s "$WORK/bare.bin" ] && break
    sleep 0.2
  done
  cmp -s "$WORK/grpc-response.bin" "$WORK/bare.bin" || log "BareGrpc answers different bytes than the node"
  run_grpc() {
    local key=$1 port=$2 out rps mean
    out=$(h2load -t2 -c"$CONNS" -m1 -D "$DURATION" "${GH[@]}" -d "$WORK/request.bin" "http://127.0.0.1:$port/idnode.v1.Resolver/Resolve" 2>&1)
    rps=$(awk '/^finished in/ { gsub(",", "", $4); printf "%.0f", $4 }' <<<"$out")
    mean=$(awk '/^time for request:/ { print $6 }' <<<"$out")
    log "h2load $key: $rps req/s mean ${mean}"
    record "$key" grpc "$rps" "mean $(to_ms "$mean")" "-"
  }
  # Both warmed first (JIT tiers, PGO, thread pool, GC budgets): BareGrpc is a fresh process, and
  # measuring it cold against a node warmed by the HTTP runs made the bare server look slower.
  # 10 s each: after 3 s the node's gRPC path was still speeding up round after round (20.5k,
  # 26.1k, 30.3k, 38.1k req/s against BareGrpc's 27.1k, 36.9k, 43.1k, 37.7k), its much larger
  # pipeline taking longer to reach tier-1 code than the bare server's one method.
  for port in "$NODE_H2C" "$BARE_GRPC"; do
    h2load -t2 -c"$CONNS" -m1 -D "${IDNODE_LOAD_GRPC_WARMUP:-10}" "${GH[@]}" -d "$WORK/request.bin" "http://127.0.0.1:$port/idnode.v1.Resolver/Resolve" >/dev/null 2>&1
  done
  for r in $(seq "$ROUNDS"); do
    run_grpc "hot grpc node" "$NODE_H2C"
    run_grpc "hot grpc baseline (BareGrpc)" "$BARE_GRPC"
  done
  # The C# generator's grpc-hot: one caller per channel, one channel (HTTP/2 connection) per
  # caller — the same connections x streams as h2load -c$CONNS -m1 above.
  if [[ $ONLY == *" gen "* ]]; then
    for r in $(seq "$ROUNDS"); do
      GEN_TOOL=ggen run_gen "gen grpc-hot node" --scenario grpc-hot --target "http://127.0.0.1:$NODE_HTTP" --grpc-target "http://127.0.0.1:$NODE_H2C" \
        --hot "$HOT" --skip-setup --grpc-connections "$CONNS" --duration "$DURATION"
      GEN_TOOL=ggen run_gen "gen grpc-hot baseline (BareGrpc)" --scenario grpc-hot --target "http://127.0.0.1:$NODE_HTTP" --grpc-target "http://127.0.0.1:$BARE_GRPC" \
        --hot "$HOT" --skip-setup --grpc-connections "$CONNS" --duration "$DURATION"
    done
  fi
  stop "$BAREGRPC_PID"; BAREGRPC_PID=""
fi

# ---- C# generator scenarios ---------------------------------------------------------------
NODE_T="--target http://127.0.0.1:$NODE_HTTP"
if [[ $ONLY == *" gen "* ]]; then
# Closed loop, interleaved: the generator's maximum against the node and the baseline.
for r in $(seq "$ROUNDS"); do
  run_gen "gen hot node" $NODE_T --scenario http-hot --hot "$HOT" --skip-setup --duration "$DURATION"
  run_gen "gen hot baseline" --target "http://127.0.0.1:$BASE_HTTP" --scenario http-hot --hot "$HOT" --skip-setup --duration "$DURATION"
done
# p99 at half the node's maximum throughput, open loop (latency from the intended send time),
# node and baseline at the SAME rate, interleaved. The maximum is the lower of wrk's and the
# generator's own closed-loop best against the node: on a small machine the C# client cannot
# drive wrk's rate, and asking it to would measure the client's backlog.
HALF=$( { best "hot http node" wrk; best "gen hot node" gen; } | awk -F'\t' '$3 + 0 > 0 && (min == "" || $3 + 0 < min) { min = $3 + 0 } END { printf "%.0f", (min > 0 ? min / 2 : 1000) }')
HALF=${HALF:-1000}
for r in $(seq "$ROUNDS"); do
  run_gen "gen hot open node @${HALF}/s" $NODE_T --scenario http-hot --hot "$HOT" --skip-setup --mode open --rate "$HALF" --duration "$GEN_DURATION"
  run_gen "gen hot open baseline @${HALF}/s" --target "http://127.0.0.1:$BASE_HTTP" --scenario http-hot --hot "$HOT" --skip-setup --mode open --rate "$HALF" --duration "$GEN_DURATION"
done
run_gen "gen warm (L1, ${IDS} ids)" $NODE_T --scenario http-warm --duration "$GEN_DURATION"
run_gen "gen mix 95/5" $NODE_T --scenario mix --skip-setup --duration "$GEN_DURATION"
run_gen "gen batch-register (PUT)" $NODE_T --scenario batch-register --duration "$GEN_DURATION" --warmup 1
# Cold: the same node data with L1 off, so every resolve reads the store.
stop "$NODE_PID"; NODE_PID=""
start_node IdNode__Cache__L1MaxBytes=0 IdNode__Cache__Kind=memory   # memory: with Redis on, these would be L2 hits
run_gen "gen cold (store, L1 off)" $NODE_T --scenario http-cold --skip-setup --duration "$GEN_DURATION"
fi

# ---- cold resolve on PostgreSQL vs. raw primary-key selects (production mode, issue 6) ------------
# The node with L1 off and no shared cache (every resolve one PostgreSQL read) under wrk with a Lua
# script picking a random identifier of the registered set, against pgbench running the node's own
# select (PostgresRecordStore.GetAsync) on the same keys with as many clients as wrk connections,
# prepared. Interleaved, IDNODE_LOAD_ROUNDS rounds; ratio = node / raw. (loadtests/scale.sh does the
# same at 10^5..10^7 stored identifiers.) Needs the identifiers the generator's warm set-up registered.
if [[ $ONLY == *" gen "* ]] && [ "$MODE" = production ] && command -v wrk >/dev/null; then
  PGBENCH=$(ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -n 1); PGBENCH=${PGBENCH:-$(command -v pgbench || true)}
  cs_get() { tr ';' '\n' <<<"$ConnectionStrings__Postgres" | awk -F= -v k="$1" 'tolower($1) == tolower(k) { sub(/^[^=]*=/, ""); print; exit }'; }
  PGB_HOST=$(cs_get Host) PGB_PORT=$(cs_get Port) PGB_USER=$(cs_get Username) PGB_DB=$(cs_get Database)
  if [ -n "$PGBENCH" ]; then
    stop "$NODE_PID"; NODE_PID=""
    start_node IdNode__Cache__L1MaxBytes=0 IdNode__Cache__Kind=memory
    random_ids_lua "$WORK/cold.lua"
    cat >"$WORK/select.sql" <<SQL
\\set i random(0, $((IDS - 1)))
SELECT handle, version, data, updated_at FROM handles WHERE key = '$PREFIX/LOADTEST-' || lpad(CAST(:i AS text), 8, '0');
SQL
    # Unmeasured first: a freshly started node needs ~10 s of this load before its JIT tiers settle.
    wrk -t2 -c"$CONNS" -d10s -s "$WORK/cold.lua" "http://127.0.0.1:$NODE_HTTP" >/dev/null
    for r in $(seq "$ROUNDS"); do
      run_wrk "cold pg node (L1 off)" "http://127.0.0.1:$NODE_HTTP" -s "$WORK/cold.lua"
      out=$(PGPASSWORD=$(cs_get Password) "$PGBENCH" -h "${PGB_HOST:-127.0.0.1}" -p "${PGB_PORT:-5432}" -U "${PGB_USER:-postgres}" -n \
        -f "$WORK/select.sql" -c "$CONNS" -j 2 -T "$DURATION" -M prepared "${PGB_DB:-postgres}" 2>&1) || log "pgbench failed: $(tail -n 3 <<<"$out")"
      tps=$(awk '/^tps/ { printf "%.0f", $3 }' <<<"$out"); lat=$(awk '/^latency average/ { print $4 }' <<<"$out")
      log "pgbench raw select: $tps tps mean ${lat}ms"
      record "cold pg raw select (pgbench)" pgbench "$tps" "mean $lat" "-"
    done
  else
    log "pgbench not found: no raw-select baseline for cold PostgreSQL resolve"
  fi
fi

# ---- warm resolve from Redis only (production mode with Redis, issue 6) ----------------------------
# A node with L1 off (IdNode__Cache__L1MaxBytes=0) and the Redis cache on: one pass of resolves over the
# registered identifiers fills Redis (each a store read + fill), after which every request is an L2 hit
# (Redis HMGET, decode, encode; checked with /metrics/cache). Compared, interleaved, with the raw floor:
# redis-benchmark issuing the node's own HMGET <key> v d over the same entries (copied in Redis to
# 12-digit names, because redis-benchmark's __rand_int__ expands to 12 digits), same connections.
# Also the generator's http-warm against the same node (ratio to the generator's bare baseline).
if [[ $ONLY == *" gen "* || $ONLY == *" l2 "* ]] && [ "$MODE" = production ] && [[ " ${NODE_ENV[*]} " == *" IdNode__Cache__Kind=redis "* ]] \
  && command -v wrk >/dev/null; then
  R_ADDR=${ConnectionStrings__Redis%%,*} R_KEYS=${IdNode__Cache__RedisKeyPrefix:-idnode:}
  R_HOST=${R_ADDR%:*} R_PORT=${R_ADDR##*:}
  RCLI=(redis-cli -h "$R_HOST" -p "$R_PORT")
  stop "$NODE_PID"; NODE_PID=""
  start_node IdNode__Cache__L1MaxBytes=0
  cache_stats() { curl -fsS "http://127.0.0.1:$NODE_HTTP/metrics/cache" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["l2Hits"], d["storeReads"], d["redisFailures"])'; }
  # CPU seconds of a process and its reaped children (per request, far steadier than req/s here).
  proc_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.3f", ($12 + $13 + $14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0; }
  R_PID=${REDIS_PID:-$(pgrep -o -f "redis-server .*:$R_PORT" || true)}
  # The fill pass: the generator's warm set-up resolves every identifier once (registering them first
  # when the gen scenarios did not run), then a short unmeasured run.
  fill_args=(--skip-setup); [[ $ONLY == *" gen "* ]] || fill_args=()
  run_gen "gen warm (L2 only, L1 off)" $NODE_T --scenario http-warm "${fill_args[@]}" --duration "$GEN_DURATION"
  copied=$("${RCLI[@]}" --raw EVAL "local c = 0
    for i = 0, tonumber(ARGV[1]) - 1 do
      c = c + redis.call('COPY', ARGV[2] .. string.format('%08d', i), ARGV[3] .. string.format('%012d', i), 'REPLACE')
    end
    return c" 0 "$IDS" "${R_KEYS}r:$PREFIX/LOADTEST-" "${R_KEYS}rawfloor:")
  [ "$copied" = "$IDS" ] || log "only $copied of $IDS identifiers are in Redis after the fill pass"
  random_ids_lua "$WORK/l2.lua"
  RB=(redis-benchmark -h "$R_HOST" -p "$R_PORT" -c "$CONNS" --threads 2 -r "$IDS" --csv HMGET "${R_KEYS}rawfloor:__rand_int__" v d)
  wrk -t2 -c"$CONNS" -d5s -s "$WORK/l2.lua" "http://127.0.0.1:$NODE_HTTP" >/dev/null
  rb_rps=$("${RB[@]}" -n 100000 | awk -F'","' 'NR == 2 { printf "%.0f", $2 }')
  RB_N=$(( ${rb_rps:-50000} * DURATION ))
  TIMEFORMAT='%U %S'
  for r in $(seq "$ROUNDS"); do
    read -r h0 s0 f0 <<<"$(cache_stats)"; n0=$(proc_cpu "$NODE_PID"); g0=$(proc_cpu "$R_PID")
    { time run_wrk "warm redis node (L1 off)" "http://127.0.0.1:$NODE_HTTP" -s "$WORK/l2.lua" 2>&3; } 3>&2 2>"$WORK/time.out"
    read -r h1 s1 f1 <<<"$(cache_stats)"; n1=$(proc_cpu "$NODE_PID"); g1=$(proc_cpu "$R_PID")
    nreq=$(( (h1 - h0) + (s1 - s0) ))
    printf '  node round %s: L2 hits %s, store reads %s, Redis failures %s; CPU us/request node %s + Redis %s + wrk %s\n' "$r" \
      "$((h1 - h0))" "$((s1 - s0))" "$((f1 - f0))" "$(awk -v a="$n0" -v b="$n1" -v n="$nreq" 'BEGIN { printf "%.0f", (n > 0 ? (b - a) * 1e6 / n : 0) }')" \
      "$(awk -v a="$g0" -v b="$g1" -v n="$nreq" 'BEGIN { printf "%.0f", (n > 0 ? (b - a) * 1e6 / n : 0) }')" \
      "$(awk -v n="$nreq" '{ printf "%.0f", (n > 0 ? ($1 + $2) * 1e6 / n : 0) }' "$WORK/time.out")" >>"$WORK/l2-notes"
    g0=$(proc_cpu "$R_PID")
    { time "${RB[@]}" -n "$RB_N" >"$WORK/rb.out"; } 2>"$WORK/time.out"
    g1=$(proc_cpu "$R_PID"); out=$(<"$WORK/rb.out")
    # CSV: "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
    IFS=, read -r _ rps _ _ p50 _ p99 _ <<<"$(sed -n 2p <<<"$out" | tr -d '"')"
    log "redis-benchmark HMGET: $rps req/s p50 ${p50}ms p99 ${p99}ms"
    record "warm redis raw HMGET" redisb "$(printf '%.0f' "$rps")" "$p50" "$p99"
    printf '  raw  round %s: %s HMGETs; CPU us/request Redis %s + redis-benchmark %s\n' "$r" "$RB_N" \
      "$(awk -v a="$g0" -v b="$g1" -v n="$RB_N" 'BEGIN { printf "%.0f", (b - a) * 1e6 / n }')" \
      "$(awk -v n="$RB_N" '{ printf "%.0f", ($1 + $2) * 1e6 / n }' "$WORK/time.out")" >>"$WORK/l2-notes"
  done
  "${RCLI[@]}" --raw EVAL "for i = 0, tonumber(ARGV[1]) - 1 do redis.call('DEL', ARGV[2] .. string.format('%012d', i)) end" 0 "$IDS" "${R_KEYS}rawfloor:" >/dev/null
fi

# ---- p99 at half the maximum, client and server on separate cores (issue 6) ---------------
# The open-loop rows above share both cores between client and server, so their tail is mostly
# scheduling. Here the server (node, then baseline) runs alone on core 1 and every client on core 0
# (IDNODE_LOAD_PIN=0: the same steps unpinned). The maximum is measured closed-loop under the SAME
# pinning (wrk -t1 and the generator's raw client, node and baseline each, interleaved); then the
# open loop at half the node's lower maximum, node and baseline at the same rate, interleaved,
# with the raw client (one thread, no allocation per request), pinned also with the raw client
# busy-polling (--spin), and with HttpClient for comparison.
# Under taskset the .NET runtime sees 1 CPU: Server GC falls back to Workstation GC (no
# ".NET Server GC" threads), the thread pool starts with 1 worker, Kestrel uses 1 I/O queue.
if [[ $ONLY == *" p99 "* ]]; then
  PIN=${IDNODE_LOAD_PIN:-1}
  [ "$(nproc)" -ge 2 ] || PIN=0
  if [ "$PIN" = 1 ] && command -v taskset >/dev/null; then
    PIN_LABEL=pinned P99_SERVER_WRAP="taskset -c 1" P99_CLIENT_WRAP="taskset -c 0" P99_WRK_T=1
  else
    PIN_LABEL=unpinned P99_SERVER_WRAP="" P99_CLIENT_WRAP="" P99_WRK_T=2
  fi
  P99_LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
  log "p99 part ($PIN_LABEL): restarting node and baseline"
  stop "$NODE_PID"; NODE_PID=""
  SERVER_WRAP=$P99_SERVER_WRAP start_node
  stop "$BASE_PID"; BASE_PID=""
  $P99_SERVER_WRAP dotnet "$BASELINE_DLL" --body "$WORK/hot.json" --http1 $BASE_HTTP --h2c $BASE_H2C >"$WORK/baseline.log" 2>&1 &
  BASE_PID=$!
  wait_http "$BASE_URL" "$BASE_PID" || { log "baseline did not start"; cat "$WORK/baseline.log" >&2; exit 1; }
  gc_threads() { cat /proc/"$1"/task/*/comm 2>/dev/null | grep -c 'Server GC' || true; }
  echo "p99 part ($PIN_LABEL): server wrapper '${P99_SERVER_WRAP:-none}', client wrapper '${P99_CLIENT_WRAP:-none}'; Server GC threads: node $(gc_threads "$NODE_PID"), baseline $(gc_threads "$BASE_PID")" >>"$WORK/notes"
  p99_wrk() {
    local key=$1 url=$2 out rps p50 p99
    out=$($P99_CLIENT_WRAP wrk -t"$P99_WRK_T" -c"$CONNS" -d"${DURATION}s" --latency "$url")
    rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")
    p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
    p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
    log "wrk $key: $rps req/s p50 ${p50}ms p99 ${p99}ms"
    record "$key" wrk "$rps" "$p50" "$p99"
  }
  # Unmeasured first: a fresh process runs tier-0 code for its first seconds.
  for url in "$NODE_URL" "$BASE_URL"; do $P99_CLIENT_WRAP wrk -t"$P99_WRK_T" -c"$CONNS" -d3s "$url" >/dev/null; done
  for r in $(seq "$ROUNDS"); do
    p99_wrk "p99 max node ($PIN_LABEL)" "$NODE_URL"
    p99_wrk "p99 max baseline ($PIN_LABEL)" "$BASE_URL"
    GEN_WRAP=$P99_CLIENT_WRAP GEN_TOOL=raw run_gen "p99 max node ($PIN_LABEL)" $NODE_T --scenario http-hot --hot "$HOT" --skip-setup --client raw --duration "$DURATION"
    GEN_WRAP=$P99_CLIENT_WRAP GEN_TOOL=raw run_gen "p99 max baseline ($PIN_LABEL)" --target "http://127.0.0.1:$BASE_HTTP" --scenario http-hot --hot "$HOT" --skip-setup --client raw --duration "$DURATION"
  done
  # Half of the node's maximum: the lower of wrk's and the raw client's best, pinned like the open loop.
  HALF_P=$( { best "p99 max node ($PIN_LABEL)" wrk; best "p99 max node ($PIN_LABEL)" raw; } | awk -F'\t' '$3 + 0 > 0 && (min == "" || $3 + 0 < min) { min = $3 + 0 } END { printf "%.0f", (min > 0 ? min / 2 : 1000) }')
  HALF_P=${HALF_P:-1000}
  for r in $(seq "$ROUNDS"); do
    GEN_WRAP=$P99_CLIENT_WRAP GEN_TOOL=raw run_gen "p99 open node @${HALF_P}/s ($PIN_LABEL, raw)" $NODE_T --scenario http-hot --hot "$HOT" --skip-setup --client raw --mode open --rate "$HALF_P" --duration "$GEN_DURATION"
    GEN_WRAP=$P99_CLIENT_WRAP GEN_TOOL=raw run_gen "p99 open baseline @${HALF_P}/s ($PIN_LABEL, raw)" --target "http://127.0.0.1:$BASE_HTTP" --scenario http-hot --hot "$HOT" --skip-setup --client raw --mode open --rate "$HALF_P" --duration "$GEN_DURATION"
    # The same with the client busy-polling (--spin): its core never halts, so the client's two
    # wake-ups per request (pacing, receive) leave the tail; the server's own wake-up stays in it.
    # Pinned only: unpinned, a spinning client would take the server's core much of the time.
    [ "$PIN" = 1 ] || continue
    GEN_WRAP=$P99_CLIENT_WRAP GEN_TOOL=raw run_gen "p99 open node @${HALF_P}/s ($PIN_LABEL, raw-spin)" $NODE_T --scenario http-hot --hot "$HOT" --skip-setup --client raw --spin --mode open --rate "$HALF_P" --duration "$GEN_DURATION"
    GEN_WRAP=$P99_CLIENT_WRAP GEN_TOOL=raw run_gen "p99 open baseline @${HALF_P}/s ($PIN_LABEL, raw-spin)" --target "http://127.0.0.1:$BASE_HTTP" --scenario http-hot --hot "$HOT" --skip-setup --client raw --spin --mode open --rate "$HALF_P" --duration "$GEN_DURATION"
  done
  if [ "${IDNODE_LOAD_P99_HTTPCLIENT:-1}" = 1 ]; then
    for r in $(seq "$ROUNDS"); do
      GEN_WRAP=$P99_CLIENT_WRAP run_gen "p99 open node @${HALF_P}/s ($PIN_LABEL, HttpClient)" $NODE_T --scenario http-hot --hot "$HOT" --skip-setup --mode open --rate "$HALF_P" --duration "$GEN_DURATION"
      GEN_WRAP=$P99_CLIENT_WRAP run_gen "p99 open baseline @${HALF_P}/s ($PIN_LABEL, HttpClient)" --target "http://127.0.0.1:$BASE_HTTP" --scenario http-hot --hot "$HOT" --skip-setup --mode open --rate "$HALF_P" --duration "$GEN_DURATION"
    done
  fi
  tp_threads() { cat /proc/"$1"/task/*/comm 2>/dev/null | grep -c 'TP Worker' || true; }
  echo "p99 part ($PIN_LABEL): thread-pool workers after the runs: node $(tp_threads "$NODE_PID"), baseline $(tp_threads "$BASE_PID"); load average at its start $P99_LOAD_START, at its end $(cut -d' ' -f1-3 /proc/loadavg)" >>"$WORK/notes"
  # The machine's own jitter on the cores used (loadtests/jitter.py: CPU taken away while spinning, and
  # wake-up lateness from short sleeps): a tail below it cannot be measured here.
  if command -v python3 >/dev/null; then
    for c in 0 1; do
      if [ "$PIN" = 1 ]; then taskset -c $c python3 "$ROOT/loadtests/jitter.py" 2 "  jitter core $c"; else python3 "$ROOT/loadtests/jitter.py" 2 "  jitter (unpinned)"; fi >>"$WORK/notes"
      [ "$PIN" = 1 ] || break
    done
  fi
fi

# ---- batch registration on PostgreSQL vs. binary COPY of the same rows (production mode, issue 6) --
# gRPC BatchRegister, 2000 new identifiers per call, IDNODE_LOAD_BATCH_CALLERS concurrent callers,
# against the generator's copy-floor: the rows a create writes (record with its kind and actor,
# change-log entry; no history row since schema version 4) binary-COPYed straight into scratch
# tables of the same shape on the same PostgreSQL.
# Interleaved; the req/s column is identifiers/s, p50/p99 are per call; ratio = node / floor.
if [[ $ONLY == *" gen "* || $ONLY == *" batch "* ]] && [ "$MODE" = production ]; then
  BATCH_CALLERS=${IDNODE_LOAD_BATCH_CALLERS:-4}
  stop "$NODE_PID"; NODE_PID=""
  start_node
  # The first round warms the node up for IDNODE_LOAD_BATCH_WARMUP seconds (20): with a 2 s warm-up
  # most of the node's CPU per identifier was still JIT tier-up (over 1000 methods recompiled during
  # the measured window; after 40 s, 72).
  batch_warmup=${IDNODE_LOAD_BATCH_WARMUP:-20}
  for r in $(seq "$ROUNDS"); do
    GEN_TOOL=bgen GEN_ITEMS=1 run_gen "gen grpc-batch (ids/s)" --scenario grpc-batch --grpc-target "http://127.0.0.1:$NODE_H2C" \
      --connections "$BATCH_CALLERS" --batch-size 2000 --duration "$GEN_DURATION" --warmup "$batch_warmup"
    batch_warmup=2
    [ "${IDNODE_LOAD_BATCH_FLOOR:-1}" = 0 ] && continue
    GEN_TOOL=bgen GEN_ITEMS=1 run_gen "copy floor (ids/s)" --scenario copy-floor --pg "$ConnectionStrings__Postgres" \
      --connections "$BATCH_CALLERS" --batch-size 2000 --duration "$GEN_DURATION" --warmup 2
  done
fi

# ---- table --------------------------------------------------------------------------------
wrk_base=$(best "hot http baseline" wrk | cut -f3)
h2_base=$(best "hot h2c baseline" h2load | cut -f3)
grpc_base=$(best "hot grpc baseline (BareGrpc)" grpc | cut -f3)
gen_base=$(best "gen hot baseline" gen | cut -f3)
pg_base=$(best "cold pg raw select (pgbench)" pgbench | cut -f3)
ggen_base=$(best "gen grpc-hot baseline (BareGrpc)" ggen | cut -f3)
redis_base=$(best "warm redis raw HMGET" redisb | cut -f3)
bgen_base=$(best "copy floor (ids/s)" bgen | cut -f3)
echo
echo "IdNode load test — $(date -u '+%Y-%m-%d %H:%M UTC'), $MODE mode, $(nproc) cores, $CONNS connections, ${DURATION}s runs, $ROUNDS interleaved rounds; load average at start $LOAD_START, at end $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-30s %-7s %10s %10s %10s %8s\n' scenario tool "req/s" "p50 ms" "p99 ms" ratio
printf '%-30s %-7s %10s %10s %10s %8s\n' ------------------------------ ------- ---------- ---------- ---------- --------
keys=$(cut -f1,2 "$RESULTS" | awk '!seen[$0]++')
while IFS=$'\t' read -r key tool; do
  if [[ $key == *" open "* ]]; then line=$(median_p99 "$key" "$tool"); else line=$(best "$key" "$tool"); fi
  [ -n "$line" ] || line=$(awk -F'\t' -v k="$key" -v t="$tool" '$1 == k && $2 == t' "$RESULTS" | head -n 1)
  IFS=$'\t' read -r _ _ rps p50 p99 <<<"$line"
  case $tool in wrk) base=$wrk_base ;; h2load) base=$h2_base ;; grpc) base=$grpc_base ;; ggen) base=$ggen_base ;; bgen) base=$bgen_base ;; *) base=$gen_base ;; esac
  [[ $key == "cold pg "* ]] && base=$pg_base
  [[ $key == "warm redis "* ]] && base=$redis_base
  [[ $key == "p99 "* ]] && base=$(best "${key/node/baseline}" "$tool" | cut -f3)   # same part, same tool, same pinning
  ratio=$(awk -v a="$rps" -v b="$base" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "-" }')
  [[ $key == *" open "* ]] && ratio="-"   # a fixed rate: compare the latencies, not the rates
  printf '%-30s %-7s %10s %10s %10s %8s\n' "$key" "$tool" "$rps" "$p50" "$p99" "$ratio"
done <<<"$keys"
echo
echo "ratio = req/s / the bare baseline's req/s measured by the same tool in this run; cold pg rows: / pgbench's raw selects."
grep -q $'\tbgen\t' "$RESULTS" && echo "bgen rows: identifiers/s and per-call latency; ratio = / the binary COPY floor (copy floor row) of the same run."
echo "wrk/h2load/gen rows: best of the interleaved rounds; open-loop rows: the round with the median p99 (all rounds below)."
[ -f "$WORK/notes" ] && cat "$WORK/notes"
if [ -f "$WORK/l2-notes" ]; then
  echo "warm redis rows: node with L1 off + Redis (every request an L2 hit) vs. redis-benchmark's HMGET of the same entries; ratio = node / redis-benchmark"
  echo "  (node / bare baseline, both wrk: $(awk -v a="$(best "warm redis node (L1 off)" wrk | cut -f3)" -v b="$wrk_base" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else print "-" }'))."
  cat "$WORK/l2-notes"
fi
if [ -f "$WORK/open-notes" ]; then
  echo "open loop (latency from the due time, and from the actual send; send lag and GCs are the generator's own):"
  cat "$WORK/open-notes"
fi
if [ -n "$wrk_base" ]; then
  echo "wrk rounds (node, baseline interleaved):"
  awk -F'\t' '$2 == "wrk" { printf "  %-20s %s req/s\n", $1, $3 }' "$RESULTS"
fi
