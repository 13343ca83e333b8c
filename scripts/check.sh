#!/usr/bin/env bash
# The fast lane, for every edit: formatting, lints and the unit tests that need no wheel and no
# DynamoDB Local (under a minute once the cargo target is warm). The full run is scripts/test.sh.
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
log "unit tests: the engine and the emulator crate (no integration tests)"
cargo test --workspace --lib --bins --quiet
log "fast lane passed"
