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

bench:
    cargo bench --workspace

demo:
    cargo run -p admin-api -- seed-demo
