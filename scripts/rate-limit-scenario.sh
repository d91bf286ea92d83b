#!/usr/bin/env bash
# Seed 004's rate-limiting scenario: 50 users, 0.1-0.5 s between requests, 3 minutes, against the
# storefront example (another service limited per merchant by its tier, on Redis), its users spread
# over the demo merchants' API keys. Then admin-api's GET /api-usage, which reads the same Redis,
# is compared with what the scenario counted. Needs Redis on 127.0.0.1:6379.
#   bash scripts/rate-limit-scenario.sh        # USERS (default 50), RUN_SECONDS (default 180)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/orion-target}"
USERS="${USERS:-50}"
RUN_SECONDS="${RUN_SECONDS:-180}"
cargo build -q --release -p admin-api --bin admin-api
cargo build -q --release -p quotas --features redis,actix --example storefront --example rate_limit_scenario
BIN="$CARGO_TARGET_DIR/release/admin-api"
EX="$CARGO_TARGET_DIR/release/examples"
DIR=$(mktemp -d)
PREFIX="orion-scenario:$$:$(date +%s)"
export ORION__DATABASE__URL="sqlite://$DIR/orion.db?mode=rwc" ORION__SERVER__DATA_DIR="$DIR" ORION__SERVER__PORT=8094
export ORION__RATE_LIMIT__BACKEND=redis ORION__RATE_LIMIT__REDIS_KEY_PREFIX="$PREFIX" ORION__LOG__FILTER=warn RUST_LOG=warn
"$BIN" migrate >/dev/null
"$BIN" seed-demo --merchants 10 --months 1 --history-days 2 >/dev/null
TOKEN=$("$BIN" create-admin --email scenario@orion.example | tail -n 1)
"$BIN" serve >"$DIR/admin.log" 2>&1 &
admin=$!
"$EX/storefront" "sqlite://$DIR/orion.db?mode=ro" redis://127.0.0.1:6379 8095 "$PREFIX" >"$DIR/keys.txt" 2>&1 &
store=$!
trap 'kill $admin $store 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf localhost:8094/readyz >/dev/null && grep -q storefront "$DIR/keys.txt" && break; sleep 0.5; done
echo "== merchants behind the storefront (key: merchant (tier, limits))"
grep '^demo-key' "$DIR/keys.txt"
KEYS=$(grep -o '^demo-key-[0-9]*' "$DIR/keys.txt")
echo "== $USERS users, 0.1-0.5 s think time, $RUN_SECONDS s (commit $(git rev-parse --short HEAD))"
# shellcheck disable=SC2086
USERS="$USERS" SECONDS="$RUN_SECONDS" "$EX/rate_limit_scenario" http://127.0.0.1:8095/products $KEYS
echo "== GET /api-usage (admin-api, the same Redis)"
curl -s -H "Authorization: Bearer $TOKEN" "localhost:8094/api/v1/admin/platform-health/api-usage?top=50" | python3 -c '
import json, sys
body = json.load(sys.stdin)
for m in body["merchants"]:
    pct = "unlimited" if m["percent_of_allowance"] is None else "%.1f %% of %d" % (m["percent_of_allowance"], m["daily_allowance"])
    print("  demo-key-%d %s (%s): %d let through, %d refused, %s" % (m["merchant_id"], m["merchant"], m["tier"], m["requests_today"], m["refused_today"], pct))
for r in body["recommendations"]:
    print("  recommendation:", r)
'
