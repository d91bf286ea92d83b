# Optional sugar over plain cargo; the README's two commands need no `just`.
export CARGO_TARGET_DIR := env_var_or_default("CARGO_TARGET_DIR", "target")

# Serve the admin API on 127.0.0.1:8080 with the embedded SQLite default.
run:
    cargo run -p admin-api

# Every test, on SQLite and PostgreSQL.
test:
    cargo test --workspace

# One module's tests, e.g. `just test-module billing`.
test-module crate:
    cargo test -p {{crate}}

lint:
    cargo fmt --all --check
    cargo clippy --workspace --all-targets -- -D warnings

# The criterion benches: health assessment (uncached /health policy), forecast fits, the image
# pipeline on one photo (ORION_BENCH_PHOTO=path for a real one).
bench:
    cargo bench -p health --bench assess
    cargo bench -p forecast --bench fit
    cargo bench -p images --bench pipeline

demo:
    cargo run -p admin-api -- seed-demo
