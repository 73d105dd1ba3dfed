#!/usr/bin/env bash
# Builds the dashboard into web/dist (or $FLUENZR_WEB_OUT_DIR): installs the locked
# dependencies, regenerates the GraphQL types from ../schema.graphql, type-checks, bundles.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
npm run --silent codegen -- --silent
npx tsc --noEmit
npx tsc --noEmit -p test
npx vite build --logLevel warn
echo "web: built into ${FLUENZR_WEB_OUT_DIR:-web/dist}"
