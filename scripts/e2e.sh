#!/usr/bin/env bash
# Serve the release build in dist/ on a free localhost port and run the browser tests against it.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/index.html ] || { echo "dist/ is missing: run 'make dist' first" >&2; exit 1; }
(cd tests/e2e && npm ci --no-audit --no-fund --silent)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory dist >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -fsS "http://127.0.0.1:$port/" >/dev/null 2>&1 && break
  sleep 0.1
done
cd tests/e2e
APP_URL="http://127.0.0.1:$port/" node --test ${E2E_NAME:+--test-name-pattern="$E2E_NAME"} --test-concurrency=1 ${E2E_FILTER:-*.test.mjs}
