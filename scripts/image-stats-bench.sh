#!/usr/bin/env bash
# GET /api/v1/admin/images/stats at 1,000,000 stored images (issue: image pipeline, target < 1 ms).
# Fills the PostgreSQL database orion_images_1m once with 1M image_blob + 1M image rows, their
# shard counts and totals (rows as uploads would leave them; no files: the route never reads
# files), then measures the route with wrk and the two queries with EXPLAIN ANALYZE.
# Needs wrk (apt-get install wrk). Env: PG (server URL, default postgres://postgres@127.0.0.1:5432).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/orion-target}"
PG="${PG:-postgres://postgres@127.0.0.1:5432}"
DB_URL="$PG/orion_images_1m"
cargo build -q --release -p admin-api --bin admin-api
BIN="$CARGO_TARGET_DIR/release/admin-api"
export ORION__DATABASE__URL="$DB_URL" ORION__LOG__FILTER=warn RUST_LOG=warn ORION__FORECAST__SCHEDULE=false
export ORION__SERVER__PORT=8092 ORION__SERVER__DATA_DIR=/var/tmp/orion-images-1m ORION__IMAGES__ROOT=/var/tmp/orion-images-1m/uploads

psql "$PG/postgres" -qtAc "SELECT 1 FROM pg_database WHERE datname = 'orion_images_1m'" | grep -q 1 \
  || psql "$PG/postgres" -qc "CREATE DATABASE orion_images_1m"
"$BIN" migrate >/dev/null
images=$(psql "$DB_URL" -qtAc "SELECT COUNT(*) FROM image")
if [ "$images" -lt 1000000 ]; then
  psql "$DB_URL" -q <<'SQL'
BEGIN;
INSERT INTO merchant (name, slug, contact_email) VALUES ('Bench', 'bench', 'b@example.com') ON CONFLICT DO NOTHING;
INSERT INTO store (merchant_id, code, name) SELECT id, 'bench-1', 'Bench' FROM merchant WHERE slug = 'bench'
  ON CONFLICT DO NOTHING;
INSERT INTO image_blob (kind, hash, width, height, bytes_original, bytes800, bytes200, ref_count)
  SELECT 'product', encode(sha256(i::text::bytea), 'hex'), 2000, 1500, 310000, 62000, 7000, 1
  FROM generate_series(1, 1000000) AS i;
INSERT INTO image (store_id, product_id, blob_id, kind, original_filename)
  SELECT (SELECT id FROM store WHERE code = 'bench-1'), NULL, id, 'product', 'photo.jpg' FROM image_blob;
INSERT INTO image_shard (kind, shard, files)
  SELECT 'product', substr(hash, 1, 2) || '/' || substr(hash, 3, 2), 3 * COUNT(*) FROM image_blob GROUP BY 2;
UPDATE image_storage_stats SET total_files = 3 * (SELECT COUNT(*) FROM image_blob),
  total_bytes = (SELECT SUM(bytes_original + bytes800 + bytes200) FROM image_blob),
  total_blobs = (SELECT COUNT(*) FROM image_blob);
COMMIT;
ANALYZE;
SQL
fi
psql "$DB_URL" -qtAc "SELECT 'images ' || (SELECT COUNT(*) FROM image) || ', shards ' || (SELECT COUNT(*) FROM image_shard) || ', size ' || pg_size_pretty(pg_database_size(current_database()))"
echo "== the two queries"
psql "$DB_URL" -qtAc "EXPLAIN (ANALYZE, TIMING) SELECT total_files, total_bytes, total_blobs FROM image_storage_stats ORDER BY id LIMIT 1" | grep -E "Execution|Scan"
psql "$DB_URL" -qtAc "EXPLAIN (ANALYZE, TIMING) SELECT files FROM image_shard ORDER BY files DESC LIMIT 1" | grep -E "Execution|Scan"

TOKEN=$("$BIN" create-admin --email bench@orion.example | tail -n 1)
"$BIN" serve >/tmp/orion-images-1m.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf localhost:8092/readyz >/dev/null && break; sleep 0.5; done
URL=http://127.0.0.1:8092/api/v1/admin/images/stats
curl -s -H "Authorization: Bearer $TOKEN" "$URL"; echo
echo "== one client, sequential (latency of a single request)"
wrk -t1 -c1 -d10s --latency -H "Authorization: Bearer $TOKEN" "$URL" | sed -n '/Latency Distribution/,/Requests\/sec/p'
echo "== 16 connections"
wrk -t2 -c16 -d10s --latency -H "Authorization: Bearer $TOKEN" "$URL" | sed -n '/Latency Distribution/,/Requests\/sec/p'
