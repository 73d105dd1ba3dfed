#!/usr/bin/env bash
# Both SDKs walk every contact of a workspace of CONTACTS (default 1 000 000) by cursor against
# a release server on SQLite: items per second, and the walker's resident memory at points of
# the walk (flat when one page is held at a time).
#
#   bench/sdk_walk.sh             (BIN=path/to/fluenzr; CONTACTS=…; PYTHON=a python with the SDK's
#                                  dependencies, default: a venv made by sdk/python/test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BIN:-}" ]; then cargo build --release -q; BIN=target/release/fluenzr; fi
CONTACTS=${CONTACTS:-1000000}
PYTHON=${PYTHON:-target/sdk-python-venv/bin/python}
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$WORK"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
url="sqlite://$WORK/walk.db?mode=rwc"
key=$("$BIN" seed-bench --database-url "$url" --workspaces 1 --contacts "$CONTACTS" --groups 1 --campaigns 1 \
      --enrol-percent 1 --events 10 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["workspaces"][0]["apiKey"])')
port=$(free_port)
"$BIN" serve --addr "127.0.0.1:$port" --database-url "$url" --rate-limit 1000000000 --no-workers >"$WORK/serve.log" 2>&1 &
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
export FZ_URL="http://127.0.0.1:$port" FZ_KEY="$key" FZ_TOTAL="$CONTACTS"

PYTHONPATH=sdk/python/src "$PYTHON" - <<'PY'
import os, resource, time
from fluenzr import FluenzrClient
total = int(os.environ["FZ_TOTAL"]); marks = {total // 100, total // 10, total // 2, total}
with FluenzrClient(api_key=os.environ["FZ_KEY"], base_url=os.environ["FZ_URL"]) as client:
    start = time.time(); seen = set(); n = 0
    for contact in client.contacts.list_all():
        n += 1
        seen.add(contact.id) if n <= 10_000 else None
        if n in marks:
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"python  {n:>9} contacts  {n / (time.time() - start):8.0f}/s  max RSS {rss:6.1f} MB", flush=True)
    assert n == total, (n, total)
PY

node --expose-gc --input-type=module - <<'JS'
import { FluenzrClient } from "./sdk/js/dist/index.js";
const total = Number(process.env.FZ_TOTAL);
const marks = new Set([total / 100, total / 10, total / 2, total].map(Math.floor));
const client = new FluenzrClient({ apiKey: process.env.FZ_KEY, baseUrl: process.env.FZ_URL });
const start = Date.now(); let n = 0;
for await (const _ of client.contacts.iterate({})) {
  n += 1;
  if (marks.has(n)) {
    globalThis.gc?.();
    const rss = process.memoryUsage().rss / 2 ** 20;
    console.log(`node    ${String(n).padStart(9)} contacts  ${String(Math.round(n / ((Date.now() - start) / 1000))).padStart(8)}/s  RSS ${rss.toFixed(1)} MB`);
  }
}
if (n !== total) throw new Error(`walked ${n} of ${total}`);
JS
