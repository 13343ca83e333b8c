#!/usr/bin/env bash
# The main job on a fresh machine: build ddbload and run the workshop command offline against its own
# endpoint (20 workers, 30 s, tables created and seeded). Extra arguments go to ddb_load_tester.py,
# e.g. --table-capacity 2/2 to rehearse under-capacity.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$PROJECT_ROOT"

wheel=$(build_wheel)
venv="$DDBLOAD_CACHE/run-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --force-reinstall --no-deps "$wheel"
"$venv/bin/pip" install --quiet "$wheel"

"$venv/bin/python" python/ddb_load_tester.py --local --threads 20 --minutes 0.5 "$@"
