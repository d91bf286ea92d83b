#!/usr/bin/env bash
# What the rate limiter costs on `/health`: the same release build, the same data (the SQLite
# database of load-test.sh's forecast part, made if missing), wrk at 64 connections, with the
# limiter off, on in-process, and on Redis (127.0.0.1:6379). The admin tier is made large enough
# that nothing is refused: the check's cost is measured, not the budget. Then one check's latency
# (`--example check_latency`). Needs wrk, sqlite3 and Redis.
#   bash scripts/rate-limit-bench.sh      # DURATION (default 20s), CONNECTIONS (default 64)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/orion-target}"
DURATION="${DURATION:-20s}"
CONNECTIONS="${CONNECTIONS:-64}"
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(redis-server --version | cut -d' ' -f1-3); commit $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with uncommitted changes)')"
cargo build -q --release -p admin-api --bin admin-api
BIN="$CARGO_TARGET_DIR/release/admin-api"
FDB=/var/tmp/orion-load-forecast.db
export ORION__DATABASE__URL="sqlite://$FDB?mode=rwc" ORION__SERVER__PORT=8093 ORION__LOG__FILTER=warn RUST_LOG=warn
export ORION__SERVER__DATA_DIR=/var/tmp/orion-load-data
[ -f "$FDB" ] || { "$BIN" migrate; "$BIN" seed-demo --months 24 --history-days 730; }
AUTH="Authorization: Bearer $("$BIN" create-admin --email rate-bench@orion.example | tail -n 1)"
export ORION__RATE_LIMIT__TIERS__ENTERPRISE__REQUESTS_PER_MINUTE=1000000000
export ORION__RATE_LIMIT__TIERS__ENTERPRISE__BURST_ALLOWANCE=1000000000
export ORION__RATE_LIMIT__TIERS__ENTERPRISE__REQUESTS_PER_HOUR=1000000000
export ORION__RATE_LIMIT__TIERS__ENTERPRISE__REQUESTS_PER_DAY=0
export ORION__RATE_LIMIT__TIERS__ENTERPRISE__CONCURRENT_REQUESTS=100000
PCT=$(mktemp --suffix .lua)
cat >"$PCT" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("SUMMARY p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, %.0f req/s, non-2xx %d, errors %d\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1e6), summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA
run() {
  local name="$1"; shift
  env "$@" "$BIN" serve >/tmp/orion-rate-bench.log 2>&1 &
  local server=$!
  for _ in $(seq 1 60); do curl -sf localhost:8093/readyz >/dev/null && break; sleep 0.5; done
  echo "== GET /health, $CONNECTIONS connections, $DURATION: $name"
  curl -s -o /dev/null -D - -H "$AUTH" localhost:8093/api/v1/admin/platform-health/health | grep -i '^x-ratelimit-limit' || echo "(no X-RateLimit headers)"
  wrk -s "$PCT" -t2 -c"$CONNECTIONS" -d"$DURATION" -H "$AUTH" http://127.0.0.1:8093/api/v1/admin/platform-health/health | grep SUMMARY
  kill "$server"; wait "$server" 2>/dev/null || true
}
run "limiter off" ORION__RATE_LIMIT__ENABLED=false
run "limiter on, in-process" ORION__RATE_LIMIT__ENABLED=true ORION__RATE_LIMIT__BACKEND=memory
run "limiter on, Redis" ORION__RATE_LIMIT__ENABLED=true ORION__RATE_LIMIT__BACKEND=redis ORION__RATE_LIMIT__REDIS_KEY_PREFIX="orion-bench:$$"
echo "== one check"
cargo run -q --release -p quotas --features redis --example check_latency
