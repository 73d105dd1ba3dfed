"""The committed types match the running server's OpenAPI document."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from support import Server


def test_check_types_against_the_server(server: Server, sdk_dir: Path) -> None:
    result = subprocess.run(
        ["bash", str(sdk_dir / "check-types.sh"), server.url],
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=120,
        cwd="/",
    )
    assert result.returncode == 0, result.stdout + result.stderr
