"""The distribution: sdist and wheel build, and the wheel works in a clean environment."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import fluenzr


def test_build_and_install_the_wheel(sdk_dir: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(dist), str(sdk_dir)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = dist.glob("fluenzr-*.whl")
    (sdist,) = dist.glob("fluenzr-*.tar.gz")
    assert wheel.name == f"fluenzr-{fluenzr.__version__}-py3-none-any.whl"
    names = zipfile.ZipFile(wheel).namelist()
    assert "fluenzr/py.typed" in names and "fluenzr/_generated/models.py" in names
    assert not any(n.startswith("tests/") for n in names)
    metadata = (
        zipfile.ZipFile(wheel).read(f"fluenzr-{fluenzr.__version__}.dist-info/METADATA").decode()
    )
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert len(requires) == 1 and "httpx" in requires[0]
    with tarfile.open(sdist) as tar:
        assert any(n.endswith("/README.md") for n in tar.getnames())

    venv = tmp_path / "clean"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    out = subprocess.run(
        [
            str(python),
            "-c",
            "import fluenzr, fluenzr.types as t; "
            "c = fluenzr.FluenzrClient(api_key='k'); "
            "print(fluenzr.__version__, c.base_url, t.Contact.__name__, fluenzr.__file__)",
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    ).stdout.split()
    assert out[:3] == [fluenzr.__version__, "http://127.0.0.1:8080", "Contact"]
    assert out[3].startswith(str(venv))
