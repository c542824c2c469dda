#!/usr/bin/env bash
# Used for the numbers in the feat/redis report: run as root on a machine with PostgreSQL 15, redis-server, wrk and pgbench installed.
# Starts its own PostgreSQL (port 55434) and Redis (56381) in /tmp/bench/work, one node at a time on 127.0.0.1:183xx.
# Measurement: hot (L1), warm (Redis), cold (PostgreSQL) resolve via wrk, beside redis-benchmark GET and pgbench -S style.
set -uo pipefail
W=/tmp/bench/work; rm -rf $W; mkdir -p $W; chmod 777 $W; chown postgres $W
PGB=/usr/lib/postgresql/15/bin; PGPORT=55434; RPORT=56381
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill $p 2>/dev/null; done; runuser -u postgres -- $PGB/pg_ctl -D $W/pg -m immediate stop >/dev/null 2>&1; }
trap cleanup EXIT
runuser -u postgres -- $PGB/initdb -D $W/pg -U postgres --auth=trust -E UTF8 --no-locale --no-sync >/dev/null
runuser -u postgres -- $PGB/pg_ctl -D $W/pg -l $W/pg.log -w -o "-p $PGPORT -k $W -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300 -c shared_buffers=256MB" start >/dev/null
redis-server --port $RPORT --bind 127.0.0.1 --save '' --appendonly no --dir $W >$W/redis.log 2>&1 & PIDS+=($!)
sleep 0.5
DLL=/work/wt/redis/src/IdNode.Server/bin/Release/net10.0/IdNode.Server.dll
PG="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=postgres"
start_node() { # port cacheKind l1bytes
  (cd $W; exec env IdNode__Store__Kind=postgres ConnectionStrings__Postgres="$PG" IdNode__Cache__Kind=$2 ConnectionStrings__Redis=127.0.0.1:$RPORT \
    IdNode__Cache__L1MaxBytes=$3 IdNode__Bootstrap__AdminSecret=s3cret Logging__LogLevel__Default=Warning \
    Kestrel__Endpoints__Http__Url=http://127.0.0.1:$1 Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:$(($1+1)) dotnet $DLL >$W/node-$1.log 2>&1) &
  echo $! >$W/node-$1.pid; PIDS+=($!)
  for i in $(seq 100); do curl -sf http://127.0.0.1:$1/alive >/dev/null && return; sleep 0.2; done; echo "node $1 failed"; cat $W/node-$1.log
}
stop_node() { kill $(cat $W/node-$1.pid); while kill -0 $(cat $W/node-$1.pid) 2>/dev/null; do sleep 0.2; done; }
start_node 18301 redis 268435456
python3 - <<'PY'
import http.client, base64
c=http.client.HTTPConnection('127.0.0.1',18301)
auth='Basic '+base64.b64encode(b'300%3A88.999/ADMIN:s3cret').decode()
for i in range(1,10001):
    body='[{"index":1,"type":"URL","data":{"format":"string","value":"http://example.com/p/%d"}},{"index":2,"type":"EMAIL","data":{"format":"string","value":"ops@example.com"}}]'%i
    c.request('PUT','/api/handles/88.999/bench-%d'%i,body,{'Authorization':auth,'Content-Type':'application/json'})
    r=c.getresponse(); r.read()
    assert r.status==200, r.status
print("loaded 10000")
PY
cat > $W/rand.lua <<'L'
math.randomseed(os.time())
request = function() return wrk.format("GET", "/api/handles/88.999/bench-" .. math.random(1, 10000)) end
L
# Fill Redis with every key (a pass through node 18301 with L1 on fills L1 and Redis).

python3 - <<'PY'
import http.client
c=http.client.HTTPConnection('127.0.0.1',18301)
for i in range(1,10001):
    c.request('GET','/api/handles/88.999/bench-%d'%i); r=c.getresponse(); r.read(); assert r.status==200
PY
echo "redis keys: $(redis-cli -p $RPORT dbsize)"
wrk -t2 -c64 -d5s -s $W/rand.lua http://127.0.0.1:18301 >/dev/null; echo "=== HOT (L1 hit), 10k keys random ==="; wrk -t2 -c64 -d10s --latency -s $W/rand.lua http://127.0.0.1:18301 | grep -E "Requests/sec|50%|99%|Latency|Non-2xx"
echo "=== HOT (L1 hit), one key ==="; wrk -t2 -c64 -d10s --latency http://127.0.0.1:18301/api/handles/88.999/bench-1 | grep -E "Requests/sec|50%|99%|Latency|Non-2xx"
curl -s http://127.0.0.1:18301/metrics/cache; echo
stop_node 18301
start_node 18311 redis 0
wrk -t2 -c64 -d5s -s $W/rand.lua http://127.0.0.1:18311 >/dev/null; echo "=== WARM (L1 off, Redis hit) ==="; wrk -t2 -c64 -d10s --latency -s $W/rand.lua http://127.0.0.1:18311 | grep -E "Requests/sec|50%|99%|Latency|Non-2xx"
curl -s http://127.0.0.1:18311/metrics/cache; echo
stop_node 18311
start_node 18321 memory 0
wrk -t2 -c64 -d5s -s $W/rand.lua http://127.0.0.1:18321 >/dev/null; echo "=== COLD (L1 off, no Redis, PostgreSQL) ==="; wrk -t2 -c64 -d10s --latency -s $W/rand.lua http://127.0.0.1:18321 | grep -E "Requests/sec|50%|99%|Latency|Non-2xx"
curl -s http://127.0.0.1:18321/metrics/cache; echo
stop_node 18321
echo "=== redis-benchmark GET ==="; redis-cli -p $RPORT set bench:k "$(head -c 300 /dev/zero | tr '\0' x)" >/dev/null
redis-benchmark -p $RPORT -t get -n 200000 -c 64 --csv 2>/dev/null | tail -2
redis-benchmark -p $RPORT -t get -n 200000 -c 64 -q 2>/dev/null | tail -1
echo "=== pgbench -S style (primary-key select of a record row) ==="
cat > $W/pk.sql <<'S'
\set n random(1, 10000)
SELECT version, data FROM handles WHERE key = '88.999/bench-' || :n;
S
chmod 644 $W/pk.sql
(cd $W && runuser -u postgres -- /usr/lib/postgresql/15/bin/pgbench -h 127.0.0.1 -p $PGPORT -U postgres -n -M prepared -c 64 -j 2 -T 10 -l --log-prefix=$W/pgl -f $W/pk.sql postgres 2>&1 | grep -E "tps|latency")
python3 -c "
import glob
v=sorted(int(l.split()[2]) for f in glob.glob('$W/pgl*') for l in open(f))
print('pgbench p50 %.3f ms p99 %.3f ms n=%d' % (v[len(v)//2]/1000, v[int(len(v)*0.99)]/1000, len(v)))
"
