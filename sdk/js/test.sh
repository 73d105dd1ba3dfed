#!/usr/bin/env bash
# Builds and tests the TypeScript SDK against real FluenzR servers.
#
#   sdk/js/test.sh [path/to/fluenzr]     (default: target/debug/fluenzr of this repository)
#
# Works from any directory. Installs the locked dev dependencies (npm ci), builds with tsc,
# type-checks the public types, checks the committed API types against a fresh server's
# /v1/openapi.json, then runs test/*.test.mjs with node --test (each file starts its own
# `fluenzr serve` processes on temporary SQLite databases and stops them).
set -euo pipefail
# DNS stays on this machine: sending-domain checks ask a closed loopback port.
export FLUENZR_DNS_SERVER="${FLUENZR_DNS_SERVER:-127.0.0.1:1}"

SDK=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$SDK/../.." && pwd)
BIN=${1:-$ROOT/target/debug/fluenzr}
# A path given relative to the caller's directory, made absolute before moving.
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac
if [ ! -x "$BIN" ]; then
  echo "no fluenzr binary at $BIN (build it with cargo build, or pass its path)" >&2
  exit 1
fi
cd "$SDK"
started=$(date +%s)

echo "== npm ci"
npm ci --no-audit --no-fund --loglevel=error

echo "== build (tsc, strict)"
npm run --silent build

echo "== public types"
node_modules/.bin/tsc -p test/types
# No `any` may reach a user: the emitted declarations, comments aside.
if grep -rnw --include='*.d.ts' 'any' dist | grep -vE '^[^:]+:[0-9]+:\s*(\*|/\*|//)'; then
  echo "the published declarations contain 'any'" >&2
  exit 1
fi

echo "== check-types.sh against a fresh server"
WORK=$(mktemp -d)
SERVER=""
cleanup() {
  if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
DATABASE_URL="sqlite://$WORK/fz.db?mode=rwc" FLUENZR_ADDR=127.0.0.1:0 RUST_LOG=warn \
  "$BIN" serve >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER=$!
BASE=""
for _ in $(seq 1 150); do
  BASE=$(grep -oE 'listening on http://[^ ]+' "$WORK/server.out" | head -n1 | cut -d' ' -f3 || true)
  [ -n "$BASE" ] && break
  if ! kill -0 "$SERVER" 2>/dev/null; then cat "$WORK/server.err" >&2; exit 1; fi
  sleep 0.1
done
[ -n "$BASE" ] || { echo "fluenzr serve did not start" >&2; cat "$WORK/server.err" >&2; exit 1; }
./check-types.sh "$BASE"
kill "$SERVER" 2>/dev/null || true
SERVER=""

echo "== node --test"
FLUENZR_BIN="$BIN" node --test --test-reporter=spec test/*.test.mjs

echo "== passed in $(($(date +%s) - started)) s"
