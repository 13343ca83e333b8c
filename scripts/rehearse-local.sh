#!/usr/bin/env bash
# The main job on a fresh machine: build ddbload, start DynamoDB Local, and run the workshop command
# against it (20 workers, 30 s, tables created and seeded). Extra arguments go to ddb_load_tester.py.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$PROJECT_ROOT"

wheel=$(build_wheel)
venv="$DDBLOAD_CACHE/run-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --force-reinstall --no-deps "$wheel"
"$venv/bin/pip" install --quiet "$wheel"

state=$(mktemp -d)
trap 'bash "$PROJECT_ROOT/scripts/dynamodb-local.sh" stop "$state"; rm -rf "$state"' EXIT
url=$(bash scripts/dynamodb-local.sh start "$state")

# DynamoDB Local accepts any credentials.
AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_EC2_METADATA_DISABLED=true \
  "$venv/bin/python" python/ddb_load_tester.py --endpoint-url "$url" --create-tables --seed-products 1000 \
  --threads 20 --minutes 0.5 "$@"
