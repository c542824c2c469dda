#!/usr/bin/env bash
# The one test command. On a fresh Debian machine it installs what the tests need, starts
# PostgreSQL, Redis and dnsmasq on loopback in throwaway folders, runs every test project, stops
# the servers, and ends with the line "N passed, N failed[, N skipped]".
set -uo pipefail
cd "$(dirname "$0")"
ROOT=$PWD

PG_PORT=${IDNODE_TEST_PG_PORT:-55432}
REDIS_PORT=${IDNODE_TEST_REDIS_PORT:-56379}
DNS_PORT=${IDNODE_TEST_DNS_PORT:-55353}
WORK=$(mktemp -d /tmp/idnode-test.XXXXXX)
chmod 755 "$WORK"
PIDS=()

log() { printf '[test.sh] %s\n' "$*" >&2; }

cleanup() {
  if [ -n "${PG_BIN:-}" ] && [ -f "$WORK/pg/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -m immediate stop >/dev/null 2>&1 || true
  fi
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# ---- install what is missing (Debian packages) --------------------------------------------
find_pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v redis-cli >/dev/null || missing+=(redis-tools)
command -v dnsmasq >/dev/null || [ -x /usr/sbin/dnsmasq ] || missing+=(dnsmasq-base)
PG_BIN=$(find_pg_bin)
[ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
      || log "apt-get install failed for: ${missing[*]}"
    PG_BIN=$(find_pg_bin)
  else
    log "missing and not root, integration tests will skip: ${missing[*]}"
  fi
fi
# The Debian postgresql package starts a cluster on 5432; ours runs on its own port and folder.

# ---- PostgreSQL ---------------------------------------------------------------------------
# --no-locale: the cluster must not depend on the caller's LANG/LC_* (initdb refuses a locale the
# machine has not generated, e.g. LANG=en_US.UTF-8 on a bare Debian). Keys are COLLATE "C" anyway.
# A busy or refused port is retried on the next ones; what went wrong is repeated before the total.
PROBLEMS=()
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# The port asked for and the next four candidates (+7 each) that nothing listens on.
free_ports() {
  local try port
  for try in 0 1 2 3 4; do
    port=$(($1 + try * 7))
    port_busy "$port" || echo "$port"
  done
}
start_pg() {
  if ! as_pg "$PG_BIN/initdb" -D "$WORK/pg" -U postgres --auth=trust -E UTF8 --no-locale --no-sync >"$WORK/initdb.log" 2>&1; then
    PROBLEMS+=("PostgreSQL initdb failed: $(tail -n 3 "$WORK/initdb.log" | tr '\n' ' ')")
    return 1
  fi
  local port
  for port in $(free_ports "$PG_PORT"); do
    if as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg.log" -w -t 60 \
         -o "-p $port -k $WORK -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300 -c shared_buffers=256MB" \
         start >"$WORK/pg_ctl.log" 2>&1; then
      PG_PORT=$port
      return 0
    fi
    PROBLEMS+=("PostgreSQL did not start on port $port: $(tail -n 3 "$WORK/pg.log" 2>/dev/null | tr '\n' ' ') $(tail -n 2 "$WORK/pg_ctl.log" | tr '\n' ' ')")
    as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -m immediate stop >/dev/null 2>&1 || true
  done
  return 1
}
if [ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ]; then
  if [ "$(id -u)" = 0 ]; then chown postgres "$WORK"; fi
  if start_pg; then
    export IDNODE_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"
    export IDNODE_TEST_PG_BIN="$PG_BIN" IDNODE_TEST_PG_DATA="$WORK/pg" IDNODE_TEST_PG_PORT="$PG_PORT"
    log "PostgreSQL on 127.0.0.1:$PG_PORT"
  else
    for p in "${PROBLEMS[@]}"; do log "$p"; done
  fi
else
  PROBLEMS+=("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin")
fi

# ---- Redis --------------------------------------------------------------------------------
if command -v redis-server >/dev/null; then
  for port in $(free_ports "$REDIS_PORT"); do
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 &
    pid=$!
    for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    if redis-cli -p "$port" ping >/dev/null 2>&1; then
      PIDS+=("$pid") REDIS_PORT=$port
      export IDNODE_TEST_REDIS="127.0.0.1:$REDIS_PORT"
      log "Redis on 127.0.0.1:$REDIS_PORT"
      break
    fi
    kill "$pid" 2>/dev/null || true
    PROBLEMS+=("Redis did not start on port $port: $(tail -n 2 "$WORK/redis.log" | tr '\n' ' ')")
  done
else
  PROBLEMS+=("redis-server not found")
fi

# ---- dnsmasq (DNS for the upstream / GS1 tests) -------------------------------------------
DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
if [ -x "$DNSMASQ" ]; then
  "$DNSMASQ" --no-daemon --port="$DNS_PORT" --listen-address=127.0.0.1 --bind-interfaces --no-resolv --no-hosts \
    --local=/test/ --srv-host=_idnode-top._tcp.test,top.test,8000,0,10 --txt-record=_idnode.test,"v=idnode1" \
    --address=/top.test/127.0.0.1 >"$WORK/dnsmasq.log" 2>&1 &
  PIDS+=($!)
  export IDNODE_TEST_DNS="127.0.0.1:$DNS_PORT"
  log "dnsmasq on 127.0.0.1:$DNS_PORT"
fi

# ---- tests --------------------------------------------------------------------------------
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
OUT="$WORK/dotnet-test.log"
# Perf measurements (Category=Perf) are run by hand with IDNODE_PERF=1, never counted as skipped here.
user_filter=0
for arg in "$@"; do [ "$arg" = "--filter" ] && user_filter=1; done
dotnet build "$ROOT/IdNode.sln" -c Release 2>&1 | tee "$OUT" | grep -E " error |rror\(s\)|Elapsed" >&2
status=${PIPESTATUS[0]}
if [ "$status" -eq 0 ] && [ "$user_filter" = 1 ]; then
  dotnet test "$ROOT/IdNode.sln" -c Release --no-build "$@" 2>&1 | tee -a "$OUT"
  status=${PIPESTATUS[0]}
elif [ "$status" -eq 0 ]; then
  # Unit and component suites run in parallel; the multi-process integration tests run after them
  # on their own, so the staleness bounds they check are not measured on a machine busy with other suites.
  dotnet test "$ROOT/IdNode.sln" -c Release --no-build --filter "Category!=Perf&FullyQualifiedName!~IdNode.Integration.Tests" "$@" 2>&1 | tee -a "$OUT"
  status=${PIPESTATUS[0]}
  dotnet test "$ROOT/tests/IdNode.Integration.Tests" -c Release --no-build --filter "Category!=Perf" "$@" 2>&1 | tee -a "$OUT"
  [ "${PIPESTATUS[0]}" -ne 0 ] && status=1
fi

# dotnet test prints one summary line per test assembly; CI reads one total.
read -r passed failed skipped < <(
  sed 's/\x1b\[[0-9;]*m//g' "$OUT" | awk '
    /(Passed|Failed)!  *- *Failed:/ {
      for (i = 1; i <= NF; i++) {
        gsub(",", "", $(i+1))
        if ($i == "Failed:") f += $(i+1)
        if ($i == "Passed:") p += $(i+1)
        if ($i == "Skipped:") s += $(i+1)
      }
    }
    END { printf "%d %d %d\n", p, f, s }')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1  # the build or the runner itself failed
fi
for p in "${PROBLEMS[@]}"; do log "$p"; done
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
exit "$status"
