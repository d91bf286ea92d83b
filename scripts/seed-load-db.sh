#!/usr/bin/env bash
# Makes sure the PostgreSQL database orion_load holds at least 1M products and 1M orders (else
# recreates, migrates and seeds it, then ANALYZE), for scripts/load-test.sh and
# scripts/load-scenarios.sh.
#   bash scripts/seed-load-db.sh ADMIN_API_BINARY postgres://postgres@127.0.0.1:5432
set -euo pipefail
BIN=$1
SERVER=$2
DB_URL="$SERVER/orion_load"
products=$(psql "$DB_URL" -qtAc "SELECT COUNT(*) FROM product" 2>/dev/null || echo 0)
orders=$(psql "$DB_URL" -qtAc 'SELECT COUNT(*) FROM "order"' 2>/dev/null || echo 0)
if [ "${products:-0}" -lt 1000000 ] || [ "${orders:-0}" -lt 1000000 ]; then
  psql "$SERVER/postgres" -qc "DROP DATABASE IF EXISTS orion_load" -qc "CREATE DATABASE orion_load"
  ORION__DATABASE__URL="$DB_URL" "$BIN" migrate
  # Merchants join over the 180-day history, so the stores' average month has fewer orders than
  # the latest one: 200 a month at the end gives just over 1M orders in all.
  time ORION__DATABASE__URL="$DB_URL" "$BIN" seed-demo --merchants 1000 --products-per-store 700 \
    --orders-per-store-month 200 --months 6 --tiers enterprise=1
  psql "$DB_URL" -qc "ANALYZE"
fi
