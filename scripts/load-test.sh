#!/usr/bin/env bash
# Load test of the admin API on PostgreSQL with ~1M products and ~1M orders, then the
# forecast-derived routes on 730 daily snapshots (SQLite). Prints the machine, the commit and the
# data sizes it measured on. Needs wrk (apt-get install wrk) and a PostgreSQL server.
#   bash scripts/load-test.sh            # seeds the database orion_load once, then measures
#   PART=forecast bash scripts/load-test.sh   # only the forecast-derived routes
#   PART=pg PIN_WRK=1 bash scripts/load-test.sh   # only PostgreSQL; wrk on one thread pinned to
#                                                 # CPU 1 (less CPU taken from the server's tail)
# Env: PG (server URL without database, default postgres://postgres@127.0.0.1:5432),
#      DURATION (default 30s), CONNECTIONS (default 64).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/orion-target}"
PG="${PG:-postgres://postgres@127.0.0.1:5432}"
DB_URL="$PG/orion_load"
DURATION="${DURATION:-30s}"
CONNECTIONS="${CONNECTIONS:-64}"
PART="${PART:-all}"
ulimit -n 65536 || true

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB; $(psql "$PG/postgres" -qtAc 'SHOW server_version' | xargs | sed 's/^/PostgreSQL /'); commit $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with uncommitted changes)')"

cargo build -q --release -p admin-api --bin admin-api --example hello
BIN="$CARGO_TARGET_DIR/release/admin-api"
HELLO="$CARGO_TARGET_DIR/release/examples/hello"
export ORION__DATABASE__URL="$DB_URL" ORION__DATABASE__MAX_CONNECTIONS=20 ORION__LOG__FILTER=warn RUST_LOG=warn
export ORION__SERVER__PORT=8090 ORION__SERVER__DATA_DIR=/var/tmp/orion-load-data
# One admin token drives every request: with the rate limiter on, its budget (enterprise: 1,000 a
# minute) would be measured instead of the routes. The limiter's own cost is not measured here yet.
export ORION__RATE_LIMIT__ENABLED=false

# wrk prints p50/p75/p90/p99; this adds p95 and the error counts on one line.
PCT=$(mktemp --suffix .lua)
cat >"$PCT" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("SUMMARY p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms, %.0f req/s, errors connect %d read %d write %d status %d timeout %d\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.requests / (summary.duration / 1e6), summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout))
end
LUA
BASE=http://127.0.0.1:8090/api/v1/admin/platform-health
WRK=(wrk -t2)
[ -n "${PIN_WRK:-}" ] && WRK=(taskset -c 1 wrk -t1)
wrk_get() { "${WRK[@]}" -s "$PCT" -c"$1" -d"$2" --latency -H "$AUTH" "$3"; }

if [ "$PART" = all ] || [ "$PART" = pg ]; then
  bash scripts/seed-load-db.sh "$BIN" "$PG"
  psql "$DB_URL" -qtAc "SELECT 'products ' || (SELECT COUNT(*) FROM product) || ', orders ' || (SELECT COUNT(*) FROM \"order\") || ', stores ' || (SELECT COUNT(*) FROM store) || ', size ' || pg_size_pretty(pg_database_size(current_database()))"

  TOKEN=$("$BIN" create-admin --email load@orion.example | tail -n 1)
  "$BIN" serve >/tmp/orion-load-serve.log 2>&1 &
  SERVER=$!
  "$HELLO" 8091 >/dev/null 2>&1 &
  HELLO_PID=$!
  trap 'kill $SERVER $HELLO_PID 2>/dev/null || true' EXIT
  for _ in $(seq 1 60); do curl -sf localhost:8090/readyz >/dev/null && curl -sf localhost:8091/ >/dev/null && break; sleep 0.5; done

  AUTH="Authorization: Bearer $TOKEN"
  echo "== ${WRK[*]} -c$CONNECTIONS -d$DURATION hello-world baseline (actix-web, same build)"
  "${WRK[@]}" -s "$PCT" -c"$CONNECTIONS" -d"$DURATION" --latency http://127.0.0.1:8091/
  echo "== GET /health"
  "${WRK[@]}" -s "$PCT" -c"$CONNECTIONS" -d"$DURATION" --latency -H "$AUTH" "$BASE/health"
  echo "== GET /capacity"
  "${WRK[@]}" -s "$PCT" -c"$CONNECTIONS" -d"$DURATION" --latency -H "$AUTH" "$BASE/capacity"
  echo "== GET /capacity?top_stores=20"
  "${WRK[@]}" -s "$PCT" -c"$CONNECTIONS" -d"$DURATION" --latency -H "$AUTH" "$BASE/capacity?top_stores=20"
  echo "== GET /subscription-capacity"
  "${WRK[@]}" -s "$PCT" -c"$CONNECTIONS" -d"$DURATION" --latency -H "$AUTH" "$BASE/subscription-capacity"
  echo "== GET /health, 1000 connections, 60 s"
  "${WRK[@]}" -s "$PCT" -c1000 -d60s --latency -H "$AUTH" "$BASE/health"
  echo "== after the storm"
  curl -s -o /dev/null -w "readyz %{http_code} in %{time_total}s\n" http://127.0.0.1:8090/readyz
  curl -s -o /dev/null -w "health %{http_code} in %{time_total}s\n" -H "$AUTH" "$BASE/health"
  curl -s -H "$AUTH" "$BASE/health" | python3 -c 'import json,sys; h=json.load(sys.stdin); print("performance", h["performance"]); print("freshness", h["database"]["freshness"])'
  kill $SERVER $HELLO_PID 2>/dev/null || true
  wait $SERVER 2>/dev/null || true
fi

[ "$PART" = pg ] && exit 0

# The forecast-derived routes on two years of daily snapshots: every fit is computed once per
# snapshot generation and shared, so these read a cached outlook.
FDB=/var/tmp/orion-load-forecast.db
export ORION__DATABASE__URL="sqlite://$FDB?mode=rwc" ORION__SERVER__PORT=8092
if [ ! -f "$FDB" ]; then
  "$BIN" migrate
  time "$BIN" seed-demo --months 24 --history-days 730
fi
echo "== SQLite $FDB: $(sqlite3 "$FDB" 'SELECT COUNT(*) FROM capacity_snapshot') daily snapshots, $(sqlite3 "$FDB" 'SELECT COUNT(*) FROM product') products, $(sqlite3 "$FDB" 'SELECT COUNT(*) FROM "order"') orders"
AUTH="Authorization: Bearer $("$BIN" create-admin --email forecast-load@orion.example | tail -n 1)"
"$BIN" serve >/tmp/orion-load-forecast.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf localhost:8092/readyz >/dev/null && break; sleep 0.5; done
BASE=http://127.0.0.1:8092/api/v1/admin/platform-health
# First request of a generation: the outlook (every metric's fits and backtests) is computed.
curl -s -o /dev/null -w "first /forecast (computes the outlook) %{http_code} in %{time_total}s\n" -H "$AUTH" "$BASE/forecast?metric=total_products"
# A level that is not configured is asked of the outlook's kept fits: the uncached cost of one
# forecast (intervals, no refit).
for t in 1000001 1000002 1000003; do
  curl -s -o /dev/null -w "/forecast at a new level (uncached, no refit) %{http_code} in %{time_total}s\n" -H "$AUTH" "$BASE/forecast?metric=total_products&threshold=$t"
done
for route in "forecast?metric=total_products" recommendations projections; do
  echo "== GET /$route, 64 connections ($(sqlite3 "$FDB" 'SELECT COUNT(*) FROM capacity_snapshot') snapshots)"
  wrk_get 64 "$DURATION" "$BASE/$route"
done
