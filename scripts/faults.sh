#!/usr/bin/env bash
# Seed 004's failure modes, tried on purpose against a release admin-api; each says PASS or FAIL
# and what it found:
#   1. PostgreSQL restarted under load (reads through wrk, uploads in a loop): /readyz 503 while
#      it is down, 200 again within 10 s of it being back, no 5xx but 503 (and no 500) on the
#      way, no half-written rows (images reconcile: counters match, no missing files; one
#      snapshot per day; one open alert per rule).
#   2. kill -9 in the middle of uploads: after the restart no staging file is left visible to
#      readers, every file served belongs to a committed image, and `images reconcile` (which
#      removes the orphans) leaves counters that match the files.
#   3. Disk full during uploads (a 4 MiB tmpfs as the image root): 507 with the error shape,
#      nothing partial left, the service keeps answering.
# (S3 down: tests/api/images.rs; SIGTERM under load: apps/admin-api/tests/shutdown.rs; fuzzing:
# scripts/fuzz-images.sh.)
#
#   bash scripts/faults.sh        # needs root (pg_ctlcluster, mount), PostgreSQL, wrk, python3-pil
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/orion-target}"
PG="${ORION_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
cargo build -q --release -p admin-api --bin admin-api
BIN="$CARGO_TARGET_DIR/release/admin-api"
DIR=$(mktemp -d /tmp/orion-faults.XXXX)
VERSION=$(ls /etc/postgresql | sort -V | tail -n 1)
DB_URL="${PG%/*}/orion_faults"
API=http://127.0.0.1:8120/api/v1/admin
failures=0
server=""
cleanup() {
  [ -n "$server" ] && kill -9 "$server" 2>/dev/null || true
  pg_ctlcluster --skip-systemctl-redirect "$VERSION" main start 2>/dev/null || true
  mountpoint -q "$DIR/full" && umount "$DIR/full" || true
}
trap cleanup EXIT
verdict() { # name, ok (0/1), findings
  if [ "$2" = 1 ]; then echo "PASS $1: $3"; else echo "FAIL $1: $3"; failures=$((failures + 1)); fi
}

psql "$PG" -qc "DROP DATABASE IF EXISTS orion_faults WITH (FORCE)" -qc "CREATE DATABASE orion_faults"
export ORION__DATABASE__URL="$DB_URL" ORION__SERVER__PORT=8120 ORION__SERVER__DATA_DIR="$DIR/data"
export ORION__IMAGES__ROOT="$DIR/uploads" ORION__LOG__FILTER=warn ORION__RATE_LIMIT__ENABLED=false
# Alerts evaluated every second, and one rule that fires at once (more than one product), so alert
# rows are being written when PostgreSQL goes away.
export ORION__ALERTS__EVALUATION_SECONDS=1 ORION__THRESHOLDS__PRODUCTS_TOTAL__WARNING=1
"$BIN" migrate >/dev/null
"$BIN" seed-demo --merchants 10 --months 1 --history-days 5 >/dev/null
TOKEN=$("$BIN" create-admin --email faults@orion.example | tail -n 1)
AUTH="Authorization: Bearer $TOKEN"
start() {
  "$BIN" serve >>"$DIR/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -sf localhost:8120/readyz >/dev/null && return; sleep 0.1; done
}
# Twelve distinct photos (each a new content, so each upload decodes and writes three files).
/usr/bin/python3 -c "
from PIL import Image, ImageFilter
import random
for n in range(12):
    random.seed(n)
    img = Image.new('RGB', (2400, 1800))
    img.putdata([((x * (n + 3) + y) % 256, (x * y // (n + 50)) % 256, random.randrange(256)) for y in range(1800) for x in range(2400)])
    img.filter(ImageFilter.GaussianBlur(1)).save('$DIR/photo%d.jpg' % n, quality=90)"
# (store, product) pairs to upload to: a product takes 3 images on the smallest plan.
psql "$DB_URL" -tAc "SELECT store_id || ' ' || id FROM product ORDER BY id LIMIT 400" >"$DIR/products.txt"
upload_loop() { # first photo number (cycles through three), output file; runs until killed
  local i=0 store product
  while true; do
    local n=$(( $1 + i % 3 ))
    read -r store product < <(sed -n "$(( ($1 * 97 + i) % 400 + 1 ))p" "$DIR/products.txt")
    curl -s -o /dev/null -w "%{http_code}\n" -m 30 -H "$AUTH" -F file=@"$DIR/photo$n.jpg" \
      -F store_id="$store" -F product_id="$product" "$API/images/upload" >>"$2" || echo "000" >>"$2"
    i=$((i + 1))
  done
}
reconcile() { "$BIN" images reconcile "$@" 2>&1; }

# 1. PostgreSQL restarted under load.
start
cat >"$DIR/codes.lua" <<'EOF'
local threads = {}
setup = function(thread) table.insert(threads, thread) end
init = function() statuses = {} end
response = function(status) statuses[status] = (statuses[status] or 0) + 1 end
request = function()
  local paths = {"/api/v1/admin/platform-health/capacity", "/api/v1/admin/images/stats",
                 "/api/v1/admin/platform-health/trends", "/livez"}
  n = (n or 0) + 1
  return wrk.format("GET", paths[(n % #paths) + 1], {["Authorization"] = os.getenv("AUTH_HEADER")})
end
done = function(summary)
  local total = {}
  for _, t in ipairs(threads) do
    for code, count in pairs(t:get("statuses")) do total[code] = (total[code] or 0) + count end
  end
  for code, count in pairs(total) do io.write(code, " ", count, "\n") end
  io.write("socket_errors ", summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, "\n")
end
EOF
AUTH_HEADER="Bearer $TOKEN" wrk -t2 -c16 -d30s -s "$DIR/codes.lua" http://127.0.0.1:8120/ >"$DIR/pg-wrk.txt" 2>&1 &
load=$!
upload_loop 0 "$DIR/pg-uploads.txt" &
uploader=$!
sleep 8
pg_ctlcluster --skip-systemctl-redirect "$VERSION" main stop -m fast
down_at=$(date +%s.%N)
ready_down=""
for _ in $(seq 1 16); do ready_down+="$(curl -s -o /dev/null -w '%{http_code}' -m 2 localhost:8120/readyz || true) "; sleep 0.5; done
pg_ctlcluster --skip-systemctl-redirect "$VERSION" main start
up_at=$(date +%s.%N)
recovered=""
for _ in $(seq 1 100); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' -m 2 localhost:8120/readyz)" = 200 ]; then
    recovered=$(python3 -c "import time; print(round(time.time() - $up_at, 1))"); break
  fi
  sleep 0.2
done
wait $load || true
kill $uploader 2>/dev/null || true
wait $uploader 2>/dev/null || true
reads=$(grep -vE '^(Running|  |Requests|Transfer|$)' "$DIR/pg-wrk.txt" | tr '\n' ' ')
uploads=$(sort "$DIR/pg-uploads.txt" | uniq -c | tr -s ' \n' ' ')
bad=$( { grep -E '^[0-9]{3} ' "$DIR/pg-wrk.txt" | awk '$1 >= 500 && $1 != 503' || true; awk '$1 >= 500 && $1 != 503' "$DIR/pg-uploads.txt"; } | wc -l)
report=$(reconcile)
dupes=$(psql "$DB_URL" -tAc "SELECT COUNT(*) FROM (SELECT snapshot_date FROM capacity_snapshot GROUP BY snapshot_date HAVING COUNT(*) > 1) d")
missing=$(echo "$report" | grep -o 'missing files: [0-9]*' | grep -o '[0-9]*$' || true)
alerts=$(psql "$DB_URL" -tAc "SELECT COUNT(*) FROM alert_instance")
# Half-written alerts: two open alerts of one rule, a firing one without its time, a resolved one
# without its end.
torn=$(psql "$DB_URL" -tAc "SELECT (SELECT COUNT(*) FROM (SELECT rule FROM alert_instance WHERE state <> 'resolved' GROUP BY rule HAVING COUNT(*) > 1) d) + (SELECT COUNT(*) FROM alert_instance WHERE (state = 'firing' AND fired_at IS NULL) OR (state = 'resolved' AND resolved_at IS NULL))")
ok=$(python3 -c "print(int(${recovered:-99} <= 10))")
[ "$bad" = 0 ] && [ "$dupes" = 0 ] && [ "${missing:-1}" = 0 ] && [ "$torn" = 0 ] && [ "$alerts" -gt 0 ] \
  && echo "$ready_down" | grep -q 503 || ok=0
verdict "1. PostgreSQL stopped for 8 s under load" "$ok" \
  "/readyz while down: $ready_down; ready again ${recovered:-never} s after PostgreSQL was back; reads (status count): $reads; uploads:$uploads; 5xx other than 503: $bad; duplicate snapshot days: $dupes; reconcile: missing files ${missing:-?}; alert rows $alerts, half-written $torn"
kill "$server"; wait "$server" 2>/dev/null || true; server=""

# 2. kill -9 in the middle of uploads (four at once, new content each).
start
for k in 0 3 6 9; do upload_loop $k "$DIR/kill-uploads-$k.txt" & done
sleep 1.5
kill -9 "$server"; wait "$server" 2>/dev/null || true; server=""
for job in $(jobs -p); do kill "$job" 2>/dev/null || true; done
sleep 0.5
staging=$(find "$DIR/uploads" -name '*#*' | wc -l)
start
# Every file in the storage: served only when a committed image holds its content.
served_orphans=0; files=0; served=0
committed=$(psql "$DB_URL" -tAc "SELECT hash FROM image_blob" | sort)
while read -r file; do
  key=${file#"$DIR/uploads/"}
  files=$((files + 1))
  code=$(curl -s -o /dev/null -w '%{http_code}' "localhost:8120/images/$key" || true)
  hash=$(basename "$key" | cut -d_ -f1)
  if [ "$code" = 200 ]; then
    served=$((served + 1))
    echo "$committed" | grep -qx "$hash" || served_orphans=$((served_orphans + 1))
  fi
done < <(find "$DIR/uploads" -name '*.webp')
before=$(reconcile)
after=$(reconcile --remove-orphans-older-than 0)
final=$(reconcile)
rows=$(psql "$DB_URL" -tAc "SELECT COUNT(*) FROM image_blob")
on_disk=$(find "$DIR/uploads" -name '*.webp' | wc -l)
left_staging=$(find "$DIR/uploads" -name '*#*' | wc -l)
orphans_before=$(echo "$before" | grep -o 'orphan files: [0-9]*' | grep -o '[0-9]*$' || true)
ok=1
[ "$served_orphans" = 0 ] && [ "$on_disk" = $((3 * rows)) ] && [ "$left_staging" = 0 ] || ok=0
echo "$final" | grep -q 'orphan files: 0 (0 removed); missing files: 0' || ok=0
verdict "2. kill -9 during four concurrent uploads" "$ok" \
  "staging files left by the kill: $staging; files in storage after restart: $files, served: $served, served without a committed image: $served_orphans; orphans found by reconcile: ${orphans_before:-?}; after reconcile --remove-orphans-older-than 0: $on_disk files for $rows committed contents (3 each), staging files $left_staging"
kill "$server"; wait "$server" 2>/dev/null || true; server=""

# 3. Disk full: the image root on a 4 MiB tmpfs.
mkdir -p "$DIR/full"
mount -t tmpfs -o size=4m tmpfs "$DIR/full"
export ORION__IMAGES__ROOT="$DIR/full"
start
codes=""
for n in 0 1 2 3 4 5 6 7 8 9 10 11; do
  read -r store product < <(sed -n "$(( 200 + n ))p" "$DIR/products.txt")
  # New content (bytes after the JPEG's end change its hash, not its picture): no deduplication
  # against what the earlier checks stored.
  { cat "$DIR/photo$n.jpg"; echo "disk-full $n"; } >"$DIR/full$n.jpg"
  code=$(curl -s -o "$DIR/full-$n.json" -w '%{http_code}' -H "$AUTH" -F file=@"$DIR/full$n.jpg" -F store_id="$store" -F product_id="$product" "$API/images/upload")
  codes+="$code "
done
shape=$(python3 -c "import json; e=json.load(open('$(grep -l insufficient_storage "$DIR"/full-*.json | head -n 1 || echo /dev/null)'))['error']; print(e['code'] + ': ' + e['message'])" 2>/dev/null || echo none)
rows=$(psql "$DB_URL" -tAc "SELECT COUNT(*) FROM image_blob")
on_disk=$(find "$DIR/full" -name '*.webp' | wc -l)
partial=$(find "$DIR/full" -name '*#*' | wc -l)
committed_here=$(echo "$codes" | grep -o 201 | wc -l || true)
alive=$(curl -s -o /dev/null -w '%{http_code}' localhost:8120/livez)
stats=$(curl -s -o /dev/null -w '%{http_code}' -H "$AUTH" "$API/images/stats")
ok=1
echo "$codes" | grep -q 507 && [ "$partial" = 0 ] && [ "$on_disk" = $((3 * committed_here)) ] && [ "$alive" = 200 ] && [ "$stats" = 200 ] || ok=0
echo "$codes" | grep -qE '500' && ok=0
verdict "3. disk full (4 MiB tmpfs)" "$ok" \
  "answers: $codes; error: $shape; files: $on_disk for $committed_here uploads stored here (3 each), staging files $partial; /livez $alive, /images/stats $stats"
kill "$server"; wait "$server" 2>/dev/null || true; server=""

echo "failed: $failures"
exit $((failures > 0))
