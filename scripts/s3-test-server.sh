#!/usr/bin/env bash
# Starts the S3-compatible server the S3 backend's tests use: moto_server (PyPI, pinned) on
# 127.0.0.1:9000, in-memory, in a venv outside the clone. Does nothing if one already answers.
# `.ci/run` calls it; run it yourself before `cargo test --workspace` on a new machine.
set -euo pipefail
port="${ORION_TEST_S3_PORT:-9000}"
venv="${ORION_MOTO_VENV:-/var/tmp/orion-moto}"

answers() { curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; }
answers && { echo "S3 test server already on 127.0.0.1:$port"; exit 0; }

if [ ! -x "$venv/bin/moto_server" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'moto[server]==5.2.5'
fi
nohup "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$venv/server.log" 2>&1 &
for _ in $(seq 1 30); do answers && break; sleep 1; done
answers || { echo "moto_server did not start on 127.0.0.1:$port (see $venv/server.log)" >&2; exit 1; }
echo "S3 test server on 127.0.0.1:$port"
