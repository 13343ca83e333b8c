#!/usr/bin/env bash
# The whole test suite from nothing: build tools, DynamoDB Local, Chromium and Prometheus, format and lint
# checks, Rust tests, the wheel users install (dist profile, zig, manylinux2014) in a fresh virtual
# environment, stub check, mypy --strict and pytest.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$PROJECT_ROOT"

ensure_tools
for component in rustfmt clippy; do
  rustup component list --installed 2>/dev/null | grep -q "^$component" || rustup component add "$component"
done

# The HTML report is checked in a real headless Chromium.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  log "installing Debian's chromium and chromium-driver"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# --metrics-addr is checked by a real Prometheus server scraping a run.
if ! command -v prometheus >/dev/null; then
  log "installing Debian's prometheus"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null
fi

log "format and lint: cargo fmt, clippy, ruff"
cargo fmt --all --check
# Cargo's own progress (one line per crate checked) shows: the first clippy run on a cold target takes
# about 10 minutes on 2 cores.
cargo clippy --workspace --all-features --all-targets -- -D warnings
ruff check python tests bench
ruff format --check python tests bench

work=$(mktemp -d)
cleanup() { bash "$PROJECT_ROOT/scripts/dynamodb-local.sh" stop "$work/ddb" || true; rm -rf "$work"; }
trap cleanup EXIT

log "starting DynamoDB Local"
DDBLOAD_TEST_ENDPOINT=$(bash scripts/dynamodb-local.sh start "$work/ddb")
export DDBLOAD_TEST_ENDPOINT
echo "DynamoDB Local at $DDBLOAD_TEST_ENDPOINT" >&2

log "cargo test: the emulator crate (its own tests, property tests included), the engine (unit tests, and integration tests against DynamoDB Local)"
cargo test --workspace --no-run   # compiling the tests (minutes on a cold target) shows cargo's progress
cargo test --workspace --quiet

wheel=$(build_wheel)
check_wheel_platform "$wheel"
log "installing $(basename "$wheel") into a fresh virtual environment"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --upgrade pip
"$work/venv/bin/pip" install --quiet "$wheel[test]"

log "stubtest: _engine.pyi against the built module"
(cd "$work" && "$work/venv/bin/python" -m mypy.stubtest ddbload._engine)

log "mypy --strict: python/ddbload (settings in pyproject.toml)"
"$work/venv/bin/python" -m mypy

# Two pytest-xdist workers, each taking whole files (a file's module fixtures - a Ray cluster, a served
# endpoint, a run several tests read - start once): most of the suite's time is real-time waiting (auto
# scaling's two minutes, findmax's steps), which two files can spend side by side on two cores.
log "pytest, two workers (the 15 slowest tests are listed at the end, to keep the suite well under 20 minutes)"
"$work/venv/bin/python" -m pytest -p no:cacheprovider --durations=15 -n 2 --dist loadfile "$@"
