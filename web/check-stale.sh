#!/usr/bin/env bash
# Fails when the committed web/dist (embedded in the binary) or the committed GraphQL types
# differ from what the sources build: rebuilds a copy of web/ in a temporary directory.
set -euo pipefail
web="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/web"
cp "$web/../schema.graphql" "$tmp/schema.graphql"
# The unit tests read the CSV dialect cases the server shares.
mkdir -p "$tmp/tests/fixtures"
cp -r "$web/../tests/fixtures/csv" "$tmp/tests/fixtures/csv"
tar -C "$web" --exclude=./node_modules --exclude=./dist -cf - . | tar -C "$tmp/web" -xf -
"$tmp/web/build.sh" >/dev/null
stale=0
if ! diff -r "$web/dist" "$tmp/web/dist" >"$tmp/dist.diff"; then
  echo "web/dist is stale: run web/build.sh and commit web/dist" >&2
  head -40 "$tmp/dist.diff" >&2
  stale=1
fi
if ! diff -r "$web/src/gql" "$tmp/web/src/gql" >"$tmp/gql.diff"; then
  echo "web/src/gql is stale (schema.graphql or an operation changed): run web/build.sh and commit it" >&2
  head -40 "$tmp/gql.diff" >&2
  stale=1
fi
[ "$stale" = 0 ] && echo "web/dist and web/src/gql match their sources"
exit "$stale"
