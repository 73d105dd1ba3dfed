from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Iterator

import pytest
from support import Server, fluenzr_bin

from fluenzr import FluenzrClient


def pytest_configure(config: pytest.Config) -> None:
    if not os.access(fluenzr_bin(), os.X_OK):
        raise pytest.UsageError(
            f"no fluenzr binary at {fluenzr_bin()}: build it (cargo build) or set FLUENZR_BIN"
        )


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("server"))
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def limited_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A second server allowing 3 requests a minute per workspace."""
    srv = Server(tmp_path_factory.mktemp("limited"), FLUENZR_RATE_LIMIT="3")
    yield srv
    srv.stop()


@pytest.fixture
def client(server: Server) -> Iterator[FluenzrClient]:
    with FluenzrClient(api_key=server.api_key, base_url=server.url) as c:
        yield c


@pytest.fixture
def unique() -> str:
    """A short random token for names and emails no other test uses."""
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
def sdk_dir() -> Path:
    return Path(__file__).resolve().parent.parent
