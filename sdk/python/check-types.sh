#!/usr/bin/env bash
# Regenerates the SDK's types from a running server's OpenAPI document and fails when they
# differ from the committed ones.
#   sdk/python/check-types.sh http://127.0.0.1:8080
# Uses $PYTHON, else sdk/python/.venv/bin/python, else python3; it needs the tools of
# requirements-dev.txt (the pinned datamodel-code-generator).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
url="${1:?usage: check-types.sh <base-url of a running fluenzr server>}"
python="${PYTHON:-}"
if [ -z "$python" ]; then
  if [ -x "$here/.venv/bin/python" ]; then python="$here/.venv/bin/python"; else python=python3; fi
fi
if ! "$python" -c "import datamodel_code_generator" 2>/dev/null; then
  echo "check-types.sh: $python lacks datamodel-code-generator (pip install -r $here/requirements-dev.txt)" >&2
  exit 2
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$python" "$here/codegen/generate.py" "$url" "$out"

status=0
for file in models.py params.py; do
  diff -u --label "committed $file" --label "from $url" \
    "$here/src/fluenzr/_generated/$file" "$out/$file" || status=1
done
if [ "$status" -ne 0 ]; then
  echo "check-types.sh: the committed types differ from $url/v1/openapi.json;" \
    "regenerate them with: python codegen/generate.py $url" >&2
else
  echo "check-types.sh: the types match $url/v1/openapi.json"
fi
exit "$status"
