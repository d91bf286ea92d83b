#!/usr/bin/env bash
# Three admin-api instances on one PostgreSQL, one S3-compatible store (the s3s server of the
# tests, as a process) and one Redis, behind nginx on loopback; then checks what a scale-out must
# keep true, and says PASS or FAIL for each:
#   1. an image uploaded through one instance is served by the other two (and through nginx);
#   2. the daily snapshot is taken once when all three are asked at the same moment;
#   3. an alert fires once (one notification at the webhook, one alert row);
#   4. rate limits are shared (one token's burst counts across the instances);
#   5. the figures agree on every instance (/images/stats, /capacity);
#   6. one instance killed under load (wrk through nginx): no failed request.
# Then the throughput of a read mix through nginx with 1 and with 3 instances.
#
#   bash scripts/cluster.sh                 # PROFILE=release (default) or debug
#
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres), Redis on 127.0.0.1:6379, nginx and wrk
# (Debian packages nginx, wrk) and python3 with PIL (python3-pil) for the test photo.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/orion-target}"
PROFILE="${PROFILE:-release}"
PG="${ORION_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
LOAD_SECONDS="${LOAD_SECONDS:-20}"
flag=$([ "$PROFILE" = release ] && echo --release || true)
cargo build -q $flag -p admin-api --bin admin-api
cargo build -q $flag -p images --example s3_server
BIN="$CARGO_TARGET_DIR/$PROFILE/admin-api"
S3="$CARGO_TARGET_DIR/$PROFILE/examples/s3_server"

DIR=$(mktemp -d /tmp/orion-cluster.XXXX)
# nginx's workers (user nobody) buffer large request bodies in files under it.
chmod 711 "$DIR"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for f in "$DIR"/nginx*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
failures=0
check() { # name, condition (a command)
  if eval "$2"; then echo "PASS $1"; else echo "FAIL $1"; failures=$((failures + 1)); fi
}

# One database for the cluster, made fresh.
DB=orion_cluster
psql "$PG" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -qc "CREATE DATABASE $DB" >/dev/null
DB_URL="${PG%/*}/$DB"

"$S3" orion >"$DIR/s3.env" 2>"$DIR/s3.log" &
pids+=($!)
for _ in $(seq 1 50); do grep -q PATH_STYLE "$DIR/s3.env" 2>/dev/null && break; sleep 0.1; done
set -a
# shellcheck disable=SC1091
. "$DIR/s3.env"
ORION__DATABASE__URL="$DB_URL"
ORION__DATABASE__MAX_CONNECTIONS=10
ORION__RATE_LIMIT__BACKEND=redis
ORION__RATE_LIMIT__REDIS_KEY_PREFIX="orion-cluster:$$:$(date +%s)"
ORION__RATE_LIMIT__LOAD_REDUCTION=false
ORION__LOG__FILTER=warn
set +a

# Configuration shared by the three: one alert rule that is true at once (CPU >= 0 %), delivered
# to a receiver that counts what it gets; the public image files limited per client IP small
# enough to test, the admin token not limited in practice (the load below uses it).
mkdir -p "$DIR/config"
cp config/default.toml "$DIR/config/"
cat >"$DIR/config/cluster.toml" <<EOF
[alerts]
evaluation_seconds = 1
default_rules = false
[[alerts.rules]]
name = "cluster_check"
metric = "cpu_percent"
op = ">="
threshold = 0
for_seconds = 0
severity = "info"
action = "investigate"
[alerts.webhook]
url = "http://127.0.0.1:8199/hook"
secret = "cluster"
[rate_limit]
admin_tier = "load"
public_tier = "small"
[rate_limit.tiers.load]
requests_per_minute = 100000000
requests_per_hour = 1000000000
requests_per_day = 0
concurrent_requests = 100000
burst_allowance = 1000000
[rate_limit.tiers.small]
requests_per_minute = 60
requests_per_hour = 100000
requests_per_day = 0
concurrent_requests = 100
burst_allowance = 30
EOF
export ORION_ENV=cluster

# The webhook receiver: counts the posts per status, answers 200.
python3 - >"$DIR/hook.log" 2>&1 <<'EOF' &
import http.server, json, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        print(body["status"], self.headers.get("Idempotency-Key"), flush=True)
        self.send_response(200); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", 8199), H).serve_forever()
EOF
pids+=($!)

cd "$DIR"
"$BIN" migrate >/dev/null
# Enterprise plans: the writers of the Goose mix upload to the same products again and again.
"$BIN" seed-demo --merchants 20 --months 2 --history-days 30 --tiers enterprise=1 >/dev/null
TOKEN=$("$BIN" create-admin --email cluster@orion.example | tail -n 1)
AUTH="Authorization: Bearer $TOKEN"
start_instance() { # n: port 810n
  ORION__SERVER__PORT=810$1 ORION__SERVER__DATA_DIR="$DIR/data$1" "$BIN" serve >>"$DIR/admin$1.log" 2>&1 &
  echo $!
}
declare -A instance
for n in 1 2 3; do instance[$n]=$(start_instance $n); pids+=("${instance[$n]}"); done
for n in 1 2 3; do
  for _ in $(seq 1 100); do curl -sf "localhost:810$n/readyz" >/dev/null && break; sleep 0.2; done
done

nginx_conf() { # name, listen port, upstream ports...
  local name=$1 port=$2
  shift 2
  cat >"$DIR/$name.conf" <<EOF
worker_processes 1;
pid $DIR/$name.pid;
error_log $DIR/$name-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $DIR/$name-body;
  proxy_temp_path $DIR/$name-proxy;
  client_max_body_size 20m;
  upstream orion {
$(for p in "$@"; do echo "    server 127.0.0.1:$p max_fails=1 fail_timeout=5s;"; done)
    keepalive 64;
  }
  server {
    listen 127.0.0.1:$port;
    location / {
      proxy_pass http://orion;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For \$remote_addr;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_connect_timeout 1s;
    }
  }
}
EOF
  nginx -c "$DIR/$name.conf"
}
nginx_conf nginx 8100 8101 8102 8103
for _ in $(seq 1 50); do curl -sf localhost:8100/readyz >/dev/null && break; sleep 0.1; done
echo "== three instances (8101-8103) behind nginx (8100); $(nginx -v 2>&1); PostgreSQL $DB; S3 $ORION__IMAGES__S3__ENDPOINT; Redis"

API=/api/v1/admin

# 1. An upload through instance 1, read from 2, 3 and nginx.
/usr/bin/python3 -c "
from PIL import Image
import random
random.seed(7)
img = Image.new('RGB', (1600, 1200))
img.putdata([(x % 256, (x * y) % 256, random.randrange(256)) for y in range(1200) for x in range(1600)])
img.save('$DIR/photo.jpg', quality=90)"
upload=$(curl -s -H "$AUTH" -F file=@"$DIR/photo.jpg" -F store_id=1 -F product_id=1 "localhost:8101$API/images/upload")
url=$(echo "$upload" | python3 -c 'import json,sys; print(json.load(sys.stdin)["variants"]["800"]["url"])')
sums=$(for port in 8101 8102 8103 8100; do curl -sf "localhost:$port$url" | sha256sum | cut -c1-16; done | sort -u)
check "1. upload through 8101 served by 8102, 8103 and nginx ($url)" \
  "[ \$(echo \"$sums\" | wc -l) = 1 ] && [ \"$sums\" != \"$(printf '' | sha256sum | cut -c1-16)\" ]"

# 2. The snapshot asked of all three at once.
snaps=()
for port in 8101 8102 8103; do
  curl -s -o "$DIR/snap$port" -w "%{http_code}\n" -X POST -H "$AUTH" "localhost:$port$API/platform-health/snapshot" >>"$DIR/snap-codes" &
  snaps+=($!)
done
wait "${snaps[@]}"
today=$(psql "$DB_URL" -tAc "SELECT COUNT(*) FROM capacity_snapshot WHERE snapshot_date = CURRENT_DATE")
answers=$(sort "$DIR/snap-codes" | tr '\n' ' ')
check "2. snapshot asked of three at once: $today row for today (answers: $answers)" \
  "[ \"$today\" = 1 ] && ! echo \"$answers\" | grep -qvE '^((200|201) ?)+$'"

# 3. One alert, one notification, although three evaluators run every second.
sleep 6
firing=$(grep -c '^firing' "$DIR/hook.log" || true)
rows=$(psql "$DB_URL" -tAc "SELECT COUNT(*) FROM alert_instance WHERE rule = 'cluster_check'")
check "3. alert fired once: $firing notification(s), $rows alert row(s)" "[ \"$firing\" = 1 ] && [ \"$rows\" = 1 ]"

# 4. Shared limits: one client IP, 90 requests of a public image file spread round-robin over the
# three instances; its budget (burst 30, then 1 a second) holds across them (three budgets would
# let ~90 through). Check 1 spent 4 of it.
codes=$(for i in $(seq 1 90); do
  curl -s -o /dev/null -w "%{http_code}\n" "localhost:810$((i % 3 + 1))$url"
done | sort | uniq -c | tr -s ' \n' ' ')
ok=$(echo "$codes" | grep -o '[0-9]* 200' | cut -d' ' -f1)
check "4. one budget across the instances:$codes(burst 30, 4 spent by check 1)" \
  "[ \"${ok:-0}\" -ge 20 ] && [ \"${ok:-0}\" -le 34 ]"

# 5. The same figures everywhere (but the freshness of each instance's own last measurement).
for what in images/stats platform-health/capacity; do
  distinct=$(for port in 8101 8102 8103; do
    curl -s -H "$AUTH" "localhost:$port$API/$what" | python3 -c '
import json, sys
d = json.load(sys.stdin)
def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if k not in ("freshness", "timestamp", "generated_at")}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v
print(json.dumps(strip(d), sort_keys=True))' | sha256sum
  done | sort -u | wc -l)
  check "5. $what identical on the three instances" "[ $distinct = 1 ]" || true
  [ "$distinct" = 1 ] || for port in 8101 8102 8103; do curl -s -H "$AUTH" "localhost:$port$API/$what" >"$DIR/differs-$port.json"; done
done

# 6. Kill instance 2 under load through nginx.
cat >"$DIR/mix.lua" <<EOF
local paths = {"$API/platform-health/capacity", "$API/platform-health/trends", "$API/images/stats", "$API/platform-health/forecast?metric=total_products", "/livez"}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1], {["Authorization"] = "Bearer $TOKEN"})
end
done = function(summary, latency, requests)
  io.write(string.format("requests %d non2xx %d errors %d\n", summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
EOF
wrk -t2 -c32 -d"${LOAD_SECONDS}s" -s "$DIR/mix.lua" http://127.0.0.1:8100/ >"$DIR/kill.txt" 2>&1 &
load=$!
sleep $((LOAD_SECONDS / 2))
kill -9 "${instance[2]}"
wait $load || true
result=$(tail -n 1 "$DIR/kill.txt")
check "6. instance 2 killed (kill -9) halfway through ${LOAD_SECONDS}s of load: $result" \
  "echo \"$result\" | grep -q 'non2xx 0 errors 0'"

# Throughput through nginx, one instance (a second nginx with one upstream) against three: the
# instances restarted with the public image files' limit lifted (behind nginx every visitor is
# nginx's address to them: see deployment.md), then the same read mix with wrk, and seed 004's
# baseline mix with Goose (tests/load) when it is built.
for n in 1 2 3; do kill "${instance[$n]}" 2>/dev/null || true; done
sleep 1
for n in 1 2 3; do instance[$n]=$(ORION__RATE_LIMIT__PUBLIC_TIER=load start_instance $n); pids+=("${instance[$n]}"); done
for n in 1 2 3; do
  for _ in $(seq 1 100); do curl -sf "localhost:810$n/readyz" >/dev/null && break; sleep 0.2; done
done
sleep 6 # nginx's fail_timeout for the restarted upstreams
nginx_conf nginx-one 8098 8101
for _ in $(seq 1 50); do curl -sf localhost:8098/readyz >/dev/null && break; sleep 0.1; done
echo "== read mix, wrk -t2 -c64 -d${LOAD_SECONDS}s through nginx ($PROFILE build, $(nproc) cores shared by everything)"
for target in "1 instance:8098" "3 instances:8100"; do
  wrk -t2 -c64 -d"${LOAD_SECONDS}s" --latency -s "$DIR/mix.lua" "http://127.0.0.1:${target#*:}/" >"$DIR/wrk.txt" 2>&1
  echo "${target%:*}: $(grep Requests/sec "$DIR/wrk.txt" | tr -s ' ') p50 $(grep ' 50%' "$DIR/wrk.txt" | tr -s ' ' | cut -d' ' -f3) p99 $(grep ' 99%' "$DIR/wrk.txt" | tr -s ' ' | cut -d' ' -f3); $(tail -n 1 "$DIR/wrk.txt")"
done
GOOSE="$CARGO_TARGET_DIR/release/orion-load"
if [ -x "$GOOSE" ]; then
  echo "== seed 004's baseline mix (Goose, 100 users, spawn 10/s, ${LOAD_SECONDS}s) through nginx"
  for target in "1 instance:8098" "3 instances:8100"; do
    ORION_LOAD_MIX=baseline ORION_LOAD_TOKEN="$TOKEN" ORION_LOAD_IMAGE_URL="$url" ORION_LOAD_PHOTO="$DIR/photo.jpg" \
      "$GOOSE" --host "http://127.0.0.1:${target#*:}" -u 100 -r 10 -t "${LOAD_SECONDS}s" \
      --report-file "$DIR/goose.json" --no-reset-metrics --quiet >/dev/null 2>&1 || true
    echo "${target%:*}: $(python3 -c "
import json
r = json.load(open('$DIR/goose.json'))
t = next(x for x in r['raw_request_metrics'] if x['name'] == 'Aggregated')
p = next(x for x in r['raw_response_metrics'] if x['name'] == 'Aggregated')
print('{:,} requests, {:,.0f} req/s, failures {}, p50 {} ms, p95 {} ms, p99 {} ms'.format(
    t['number_of_requests'], t['requests_per_second'], t['number_of_failures'], p['percentile_50'], p['percentile_95'], p['percentile_99']))")"
  done
fi

echo "failed checks: $failures"
exit $((failures > 0))
