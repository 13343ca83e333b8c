#!/usr/bin/env bash
# Engine vs boto3 and the hand-signed floor client on a null endpoint (nginx from Debian), plus the engine
# against DynamoDB Local.
# Extra arguments go to bench/null_endpoint.py (e.g. --quick to skip the 5-minute memory run).
set -euo pipefail
source "$(dirname "$0")/../scripts/env.sh"
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
}
wheel=$(build_wheel)
log "building the floor client (bench/floor, the same dist profile)"
(cd "$PROJECT_ROOT" && cargo build --profile dist --quiet -p ddbload-floor)
floor="$CARGO_TARGET_DIR/dist/ddbload-floor"
venv="$DDBLOAD_CACHE/bench-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --force-reinstall --no-deps "$wheel"
"$venv/bin/pip" install --quiet "$wheel" boto3

state=$(mktemp -d)
trap 'bash "$PROJECT_ROOT/scripts/dynamodb-local.sh" stop "$state"; rm -rf "$state"' EXIT
local_url=$(bash "$PROJECT_ROOT/scripts/dynamodb-local.sh" start "$state")
AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x "$venv/bin/python" -m ddbload run --endpoint-url "$local_url" \
  --products-table BenchProducts --orders-table BenchOrders --create-tables --seed-products 1000 \
  --duration 1s --progress never >/dev/null
"$venv/bin/python" "$PROJECT_ROOT/bench/null_endpoint.py" --dynamodb-local "$local_url" --floor "$floor" "$@"
