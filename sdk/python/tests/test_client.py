"""Client configuration: keys and addresses from the environment, timeouts, options."""

from __future__ import annotations

import pytest
from support import FlakyProxy, Server

import fluenzr
from fluenzr import FluenzrClient


def test_key_and_address_from_the_environment(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLUENZR_API_KEY", server.api_key)
    monkeypatch.setenv("FLUENZR_BASE_URL", server.url + "/v1/")
    with FluenzrClient() as client:
        assert client.base_url == server.url
        assert client.contacts.list().meta.page == 1
    monkeypatch.delenv("FLUENZR_BASE_URL")
    assert FluenzrClient().base_url == "http://127.0.0.1:8080"
    assert FluenzrClient(base_url="https://api.fluenzr.co/v1").base_url == "https://api.fluenzr.co"
    assert server.api_key not in repr(FluenzrClient())


def test_timeouts(server: Server) -> None:
    proxy = FlakyProxy(server.url, "slow", failures=100)
    try:
        client = FluenzrClient(
            api_key=server.api_key, base_url=proxy.url, timeout=0.5, max_retries=0
        )
        with pytest.raises(fluenzr.APITimeoutError) as caught:
            client.contacts.list()
        assert caught.value.code == "TIMEOUT"
        assert isinstance(caught.value, fluenzr.APIConnectionError)
        patient = client.with_options(timeout=10.0)
        assert patient.contacts.list().meta.page == 1
        assert client.timeout == 0.5
    finally:
        proxy.close()


def test_with_options_shares_the_connections(client: FluenzrClient) -> None:
    other = client.with_options(max_retries=0)
    assert other.max_retries == 0 and client.max_retries == 2
    assert other._http is client._http
    other.close()  # a copy does not close the connections it shares
    assert client.contacts.list().meta.page == 1
