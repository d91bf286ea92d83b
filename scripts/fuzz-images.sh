#!/usr/bin/env bash
# The full mutation-fuzzing run of the upload path (crates/images/tests/fuzz.rs): 100,000 mutated
# JPEG/PNG/GIF/WebP inputs through images::pipeline::process; no panic, no hang over 2 s, every input
# accepted or refused with a typed error. CASES overrides the count. A failing case's bytes land in
# $CARGO_TARGET_DIR/tmp/fuzz-crashers/.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/orion-target}"
ORION_FUZZ_CASES="${CASES:-100000}" cargo test -q -p images --test fuzz -- --nocapture
