#!/usr/bin/env bash
# Seed 004's load scenarios with Goose (tests/load) against admin-api on PostgreSQL at >= 1M
# products and >= 1M orders, one after another, each summarised in seed 004's fields:
#   baseline   100 users, spawn 10/s, 5 min, the seed's mix (70 % admin reads, 25 % anonymous,
#              4 % writers uploading a real photo, taking snapshots and sizing, 1 % health checks)
#   peak       1,000 users, spawn 50/s, 10 min, the same mix
#   sustained  200 users, spawn 20/s, 30 min, the same mix; RSS and pool use sampled every 10 s
#              (the soak: RSS growth after warm-up)
#   db-stress  100 users, spawn 10/s, 5 min, the routes that read the database per request;
#              slow statements (> 1 s) counted from PostgreSQL's log (log_min_duration_statement)
#   cache      75 users, spawn 10/s, 5 min, the same lookups again and again; hit/miss rates from
#              /metrics (orion_cache_lookups_total)
#   rate-limit 50 users, spawn 10/s, 3 min, 0.1-0.5 s between requests, one admin token, the
#              limiter on (admin tier: 1,000 a minute, burst 200): how many got through against
#              what the tier allows (the per-merchant version through another service:
#              scripts/rate-limit-scenario.sh)
#
#   bash scripts/load-scenarios.sh                   # all, at the seed's sizes (about 60 min)
#   SCENARIOS="baseline cache" SCALE=0.1 bash scripts/load-scenarios.sh   # durations x 0.1
#
# The rate limiter is off (ORION__RATE_LIMIT__ENABLED=false): every virtual user shares one admin
# token, whose budget would otherwise be what is measured. Needs PostgreSQL on 127.0.0.1:5432 and
# the Debian package python3-pil (the photo).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/orion-target}"
PG="${ORION_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
DB_URL="${PG%/*}/orion_load"
SCALE="${SCALE:-1}"
SCENARIOS="${SCENARIOS:-baseline peak sustained db-stress cache rate-limit}"
OUT="${OUT:-$ROOT/target/load-scenarios}"
mkdir -p "$OUT"
cargo build -q --release -p admin-api --bin admin-api
(cd tests/load && cargo build -q --release)
BIN="$CARGO_TARGET_DIR/release/admin-api"
GOOSE="$CARGO_TARGET_DIR/release/orion-load"

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(uname -sr); commit $(git rev-parse --short HEAD); $(psql "$PG" -tAc 'SHOW server_version' | cut -d' ' -f1) PostgreSQL"
export ORION__DATABASE__URL="$DB_URL" ORION__LOG__FILTER=warn ORION__RATE_LIMIT__ENABLED=false
export ORION__SERVER__PORT=8090 ORION__SERVER__DATA_DIR="$OUT/data"
bash scripts/seed-load-db.sh "$BIN" "${PG%/*}"
psql "$DB_URL" -qtAc "SELECT 'data: products ' || (SELECT COUNT(*) FROM product) || ', orders ' || (SELECT COUNT(*) FROM \"order\") || ', stores ' || (SELECT COUNT(*) FROM store) || ', snapshots ' || (SELECT COUNT(*) FROM capacity_snapshot) || ', database ' || pg_size_pretty(pg_database_size(current_database()))"
# Statements over a second go to PostgreSQL's log (seed 004's "slow query").
psql "$PG" -qc "ALTER DATABASE orion_load SET log_min_duration_statement = 1000"
PG_LOG=$(ls -t /var/log/postgresql/postgresql-*-main.log 2>/dev/null | head -n 1 || true)

TOKEN=$("$BIN" create-admin --email "load-$(date +%s)@orion.example" | tail -n 1)
start_server() {
  "$BIN" serve >>"$OUT/serve.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do curl -sf localhost:8090/readyz >/dev/null && break; sleep 0.2; done
}
start_server
trap 'kill $SERVER 2>/dev/null || true' EXIT
AUTH="Authorization: Bearer $TOKEN"

# A real-looking photo (1600x1200 JPEG, 90 %), uploaded once for the anonymous readers.
/usr/bin/python3 -c "
from PIL import Image, ImageFilter
import random
random.seed(4)
img = Image.new('RGB', (1600, 1200))
img.putdata([((x * 7 + y) % 256, (x * y // 97) % 256, random.randrange(256)) for y in range(1200) for x in range(1600)])
img.filter(ImageFilter.GaussianBlur(2)).save('$OUT/photo.jpg', quality=90)"
url=$(curl -sf -H "$AUTH" -F file=@"$OUT/photo.jpg" -F store_id=1 -F product_id=1 \
  localhost:8090/api/v1/admin/images/upload | python3 -c 'import json,sys; print(json.load(sys.stdin)["variants"]["800"]["url"])')
export ORION_LOAD_TOKEN="$TOKEN" ORION_LOAD_IMAGE_URL="$url" ORION_LOAD_PHOTO="$OUT/photo.jpg"

seconds() { python3 -c "print(max(10, round($1 * $SCALE)))"; }
# Samples RSS (kB) and the database pool use (% of its size, from /health) every 10 s.
sample() {
  while kill -0 "$SERVER" 2>/dev/null; do
    rss=$(ps -o rss= -p "$SERVER" | tr -d ' ')
    pool=$(curl -s -m 5 -H "$AUTH" localhost:8090/api/v1/admin/platform-health/health \
      | python3 -c 'import json,sys; t=[x for x in json.load(sys.stdin)["thresholds"] if "pool" in json.dumps(x).lower()]; print(t[0].get("current", "") if t else "")' 2>/dev/null || true)
    echo "$(date +%s) $rss ${pool:-}"
    sleep 10
  done
}
cache_counts() {
  curl -s localhost:8090/metrics | awk '/^orion_cache_lookups_total/ {print $1, $2}'
}

run() { # name, mix, users, spawn rate, seconds
  local name=$1 mix=$2 users=$3 rate=$4 secs
  secs=$(seconds "$5")
  echo "== $name: $users users, spawn $rate/s, ${secs} s (seed: $5 s), mix $mix"
  local log_before=0
  [ -n "$PG_LOG" ] && log_before=$(wc -l <"$PG_LOG")
  cache_counts >"$OUT/$name.cache-before"
  sample >"$OUT/$name.samples" &
  local sampler=$!
  ORION_LOAD_MIX=$mix "$GOOSE" --host http://127.0.0.1:8090 -u "$users" -r "$rate" -t "${secs}s" \
    --report-file "$OUT/$name.json" --no-reset-metrics --quiet >"$OUT/$name.txt" 2>&1 || true
  kill $sampler 2>/dev/null || true
  cache_counts >"$OUT/$name.cache-after"
  local slow=0
  [ -n "$PG_LOG" ] && slow=$(tail -n +"$((log_before + 1))" "$PG_LOG" | grep -c 'duration: ' || true)
  python3 "$ROOT/scripts/load_summary.py" "$OUT/$name" "$secs" "$slow"
}

for scenario in $SCENARIOS; do
  case $scenario in
    baseline) run baseline baseline 100 10 300 ;;
    peak) run peak baseline 1000 50 600 ;;
    sustained) run sustained baseline 200 20 1800 ;;
    db-stress) run db-stress db-stress 100 10 300 ;;
    cache) run cache cache 75 10 300 ;;
    rate-limit)
      kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
      ORION__RATE_LIMIT__ENABLED=true ORION__RATE_LIMIT__BACKEND=memory ORION__RATE_LIMIT__LOAD_REDUCTION=false start_server
      started=$(date +%s.%N)
      run rate-limit rate-limit 50 10 180
      elapsed=$(python3 -c "import time; print(time.time() - $started)")
      python3 - "$OUT/rate-limit.json" "$elapsed" <<'PY'
import json, re, sys
report = json.load(open(sys.argv[1]))
codes = next(r for r in report["status_code_metrics"] if r["name"] == "Aggregated")["status_codes"]
counts = {int(c): int(n.replace(",", "")) for n, c in re.findall(r"([\d,]+) \[(\d+)\]", codes)}
total = sum(counts.values())
ok, refused = counts.get(200, 0), counts.get(429, 0)
allowed = 200 + 1000 * float(sys.argv[2]) / 60
print("Rate Limited (429): {:,} ({:.1f} %)".format(refused, 100.0 * refused / total))
print("Successful: {:,} ({:.1f} %)".format(ok, 100.0 * ok / total))
print("The tier allows at most burst 200 + 1,000 a minute over the {:.0f} s the limiter ran: {:,.0f}; let through: {:,}: {}".format(
    float(sys.argv[2]), allowed, ok, "PASS" if ok <= allowed and refused > 0 and total == ok + refused else "FAIL"))
PY
      kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
      start_server ;;
    *) echo "unknown scenario $scenario" >&2; exit 2 ;;
  esac
done
psql "$PG" -qc "ALTER DATABASE orion_load RESET log_min_duration_statement"
echo "== after: readyz $(curl -s -o /dev/null -w '%{http_code} in %{time_total}s' localhost:8090/readyz); server log warnings/errors: $(grep -cE 'WARN|ERROR' "$OUT/serve.log" || true)"
