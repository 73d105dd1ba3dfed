"""Client configuration: keys and addresses from the environment, timeouts, options."""

from __future__ import annotations

import asyncio
from typing import List

import httpx
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


READS = [
    "{ contacts { items { id } } }",
    "query Contacts($page: Int) { contacts(page: $page) { items { id } } }",
    "# mutation { deleteContact }\nquery { viewer { workspace { id } } }",
    'query Q($q: String = "mutation {") { contacts(email: $q) { items { id } } }'
    " fragment F on Contact { id }",
]
WRITES = [
    'mutation { createContact(input: { email: "a@example.com" }) { id } }',
    "  mutation Start($id: ID!) { startCampaign(id: $id) { id } }",
]
BOTH = 'query A { viewer { user { email } } } mutation B { revokeApiKey(id: "key_1") { id } }'


def _recording_transport(seen: List[httpx.Request]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"data": {}})

    return httpx.MockTransport(answer)


def test_graphql_queries_carry_no_idempotency_key_and_mutations_do() -> None:
    seen: List[httpx.Request] = []
    http = httpx.Client(transport=_recording_transport(seen))
    client = FluenzrClient(api_key="k", base_url="http://fz.example", http_client=http)
    for query in READS:
        client.graphql(query)
    for query in WRITES:
        client.graphql(query)
    client.graphql(BOTH, operation_name="A")
    client.graphql(BOTH, operation_name="B")
    client.graphql("{ viewer { user { email } } }", idempotency_key="chosen-1")
    assert all(r.url.path == "/graphql" and r.method == "POST" for r in seen)
    keys = [r.headers.get("Idempotency-Key") for r in seen]
    assert keys[: len(READS)] == [None] * len(READS), keys
    writes = keys[len(READS) : len(READS) + len(WRITES)]
    assert all(k is not None and k.startswith("fluenzr-py-") for k in writes), keys
    assert keys[-3] is None, "the named query of a document that also has a mutation"
    assert keys[-2] is not None, "the named mutation"
    assert keys[-1] == "chosen-1", "a key the caller gives is sent"


def test_async_graphql_queries_carry_no_idempotency_key_and_mutations_do() -> None:
    seen: List[httpx.Request] = []

    async def main() -> None:
        http = httpx.AsyncClient(transport=_recording_transport(seen))
        client = fluenzr.AsyncFluenzrClient(
            api_key="k", base_url="http://fz.example", http_client=http
        )
        await client.graphql(READS[1])
        await client.graphql(WRITES[0])
        await http.aclose()

    asyncio.run(main())
    keys = [r.headers.get("Idempotency-Key") for r in seen]
    assert keys[0] is None and keys[1] is not None, keys


def test_domain_names_and_selectors_are_one_path_segment() -> None:
    seen: List[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(418, json={"success": False, "error": {"code": "TEAPOT"}})

    http = httpx.Client(transport=httpx.MockTransport(answer))
    client = FluenzrClient(api_key="k", base_url="http://fz.example", max_retries=0, http_client=http)
    with pytest.raises(fluenzr.FluenzrError):
        client.domains.activate_dkim_key("acme.test/..", "s 1?")
    with pytest.raises(fluenzr.FluenzrError):
        client.domains.create_dkim_key("acme.test")
    assert seen[0].url.raw_path == b"/v1/domains/acme.test%2F../dkim/s%201%3F/activate"
    assert (seen[1].url.raw_path, seen[1].content) == (b"/v1/domains/acme.test/dkim", b"{}")
    with pytest.raises(ValueError, match="selector"):
        client.domains.delete_dkim_key("acme.test", "")
    with pytest.raises(ValueError, match="name"):
        client.domains.get("")
    assert len(seen) == 2
