#!/usr/bin/env bash
# The web dashboard's tests: unit tests, the JavaScript budget, and the browser test (Chromium
# driven by playwright-core) against a real server on a temporary SQLite database.
#
#   tests/web/run.sh [path/to/fluenzr]      (default: target/debug/fluenzr of the repository)
#
# By default the server serves a fresh build of web/ from disk (FLUENZR_APP_DIR). With
# WEB_TEST_EMBEDDED=1 it serves the app embedded in the binary (what CI must test), and the
# committed web/dist is first checked against its sources (web/check-stale.sh).
# WEB_UPDATE_SCREENSHOT=1 rewrites web/screenshot-campaign.png.
set -euo pipefail
# DNS stays on this machine: sending-domain checks ask a closed loopback port.
export FLUENZR_DNS_SERVER="${FLUENZR_DNS_SERVER:-127.0.0.1:1}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${1:-$root/target/debug/fluenzr}"
[[ "$bin" = /* ]] || bin="$PWD/$bin"
[ -x "$bin" ] || { echo "tests/web: no server binary at $bin (build it, or pass its path)" >&2; exit 1; }
web="$root/web"

if [ -z "${CHROMIUM:-}" ]; then
  CHROMIUM="$(command -v chromium || command -v chromium-browser || true)"
  if [ -z "$CHROMIUM" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "tests/web: installing Debian's chromium" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    CHROMIUM="$(command -v chromium)"
  fi
  [ -n "$CHROMIUM" ] || { echo "tests/web: Chromium is needed (apt-get install chromium)" >&2; exit 1; }
fi
export CHROMIUM

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if [ "${WEB_TEST_EMBEDDED:-}" = 1 ]; then
  "$web/check-stale.sh"
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  dist="$web/dist"
  unset FLUENZR_APP_DIR_UNDER_TEST
else
  FLUENZR_WEB_OUT_DIR="$tmp/dist" "$web/build.sh" >/dev/null
  dist="$tmp/dist"
  export FLUENZR_APP_DIR_UNDER_TEST="$dist"
fi

node "$web/test/run-unit.mjs"
node "$web/check-size.mjs" "$dist"
FLUENZR_BIN="$bin" node --test --test-concurrency=1 "$root/tests/web/e2e.test.mjs"
