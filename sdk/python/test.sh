#!/usr/bin/env bash
# The Python SDK's checks, against a real server:
#   sdk/python/test.sh [path/to/fluenzr]      (default: the repository's target/debug/fluenzr)
# Makes a virtualenv (target/sdk-python-venv, else a temporary one) with the package and the
# tools of requirements-dev.txt, then runs mypy --strict on the package and the pytest suite,
# which starts its own servers on temporary SQLite databases (FLUENZR_BIN) and stops them.
# PYTHON picks the interpreter (default python3).
set -euo pipefail
# DNS stays on this machine: sending-domain checks ask a closed loopback port.
export FLUENZR_DNS_SERVER="${FLUENZR_DNS_SERVER:-127.0.0.1:1}"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${1:-$root/target/debug/fluenzr}"
if [ ! -x "$bin" ]; then
  echo "test.sh: no fluenzr binary at $bin: build it (cargo build) or pass its path" >&2
  exit 2
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
python="${PYTHON:-python3}"
started=$SECONDS

venv="${FLUENZR_SDK_VENV:-$root/target/sdk-python-venv}"
if ! mkdir -p "$(dirname "$venv")" 2>/dev/null || [ ! -w "$(dirname "$venv")" ]; then
  tmp_venv="$(mktemp -d)"
  trap 'rm -rf "$tmp_venv"' EXIT
  venv="$tmp_venv/venv"
fi
wanted="$("$python" -c 'import sys; print(sys.version)') $(cat "$here/requirements-dev.txt" "$here/pyproject.toml" | cksum)"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.fluenzr-requirements" 2>/dev/null)" != "$wanted" ]; then
  echo "== virtualenv $venv"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$here/requirements-dev.txt" "$here"
  echo "$wanted" > "$venv/.fluenzr-requirements"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$here"

cd "$here"
echo "== the synchronous resources are generated from the asynchronous ones (codegen/unasync.py)"
"$venv/bin/python" codegen/unasync.py --check

echo "== mypy --strict (the package, and the typed usage the docs promise)"
"$venv/bin/python" -m mypy --strict src/fluenzr tests/typed_usage.py

echo "== pytest"
FLUENZR_BIN="$bin" "$venv/bin/python" -m pytest -q -p no:cacheprovider "${@:2}"

echo "== done in $((SECONDS - started)) s"
