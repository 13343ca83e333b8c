#!/usr/bin/env bash
# Builds ddbload (release) into a cached virtualenv and runs the offline-endpoint benchmark.
set -euo pipefail
source "$(dirname "$0")/../scripts/env.sh"
wheel=$(build_wheel)
venv="$DDBLOAD_CACHE/bench-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --force-reinstall --no-deps "$wheel"
"$venv/bin/pip" install --quiet "$wheel"
exec "$venv/bin/python" "$PROJECT_ROOT/bench/emulator.py" "$@"
