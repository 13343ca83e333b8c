#!/usr/bin/env bash
# The fast lane, for every edit: formatting, lints, the unit tests and the emulator's own tests, none of
# which need a wheel or DynamoDB Local (about a minute once the cargo target is warm). The full run is
# scripts/test.sh.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$PROJECT_ROOT"
ensure_tools

log "format: cargo fmt, ruff format"
cargo fmt --all --check
ruff format --check python tests bench
log "lint: clippy (the workspace lint table in Cargo.toml), ruff"
cargo clippy --workspace --all-features --all-targets --quiet -- -D warnings
ruff check python tests bench
log "unit tests: the engine; the emulator crate's unit and integration tests (in-process, over HTTP; about 40 s)"
cargo test --workspace --lib --bins --quiet
cargo test -p ddbload-emulator --tests --quiet
log "fast lane passed"
