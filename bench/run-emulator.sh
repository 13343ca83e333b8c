#!/usr/bin/env bash
# Builds ddbload (release) into a cached virtualenv and runs the offline-endpoint benchmarks: the
# store's own scaling through dispatch (1 vs 2 threads), then the endpoint over HTTP.
set -euo pipefail
source "$(dirname "$0")/../scripts/env.sh"
wheel=$(build_wheel)
venv="$DDBLOAD_CACHE/bench-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --force-reinstall --no-deps "$wheel"
"$venv/bin/pip" install --quiet "$wheel"
log "the store through dispatch, 1 and 2 threads"
(cd "$PROJECT_ROOT" && cargo run --release --quiet -p ddbload-emulator --example dispatch_scaling -- 5)
log "the endpoint over HTTP, 1 and 2 server threads"
exec "$venv/bin/python" "$PROJECT_ROOT/bench/emulator.py" "$@"
