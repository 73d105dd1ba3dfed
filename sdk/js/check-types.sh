#!/usr/bin/env bash
# The SDK's types come from the API's own OpenAPI document. This regenerates them from a running
# server and fails when they differ from the committed src/generated/openapi.ts.
#
#   ./check-types.sh [base-url]            (npm run check-types -- URL)
#   ./check-types.sh <base-url> --write    update the committed file instead
#
# The base URL defaults to FLUENZR_BASE_URL, else http://127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")"
BASE=${1:-${FLUENZR_BASE_URL:-http://127.0.0.1:8080}}
BASE=${BASE%/}
BASE=${BASE%/v1}
COMMITTED=src/generated/openapi.ts

if [ ! -x node_modules/.bin/openapi-typescript ]; then
  npm ci --silent --no-audit --no-fund
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
curl -fsS "$BASE/v1/openapi.json" -o "$WORK/openapi.json"
node_modules/.bin/openapi-typescript "$WORK/openapi.json" -o "$WORK/openapi.ts" >/dev/null 2>&1

if [ "${2:-}" = "--write" ]; then
  cp "$WORK/openapi.ts" "$COMMITTED"
  echo "updated $COMMITTED from $BASE/v1/openapi.json; now run: npm run build && ./test.sh"
  exit 0
fi
if ! diff -u "$COMMITTED" "$WORK/openapi.ts" >"$WORK/diff"; then
  head -n 80 "$WORK/diff" >&2
  echo "$COMMITTED differs from $BASE/v1/openapi.json (diff above)." >&2
  echo "Regenerate it with: sdk/js/check-types.sh $BASE --write" >&2
  exit 1
fi
echo "types match $BASE/v1/openapi.json"
