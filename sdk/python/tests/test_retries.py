"""Retries: a retried write acts once, 429 waits Retry-After, errors that cannot heal are not
retried."""

from __future__ import annotations

import time
from typing import Iterator, List

import pytest
from support import FlakyProxy, Server

import fluenzr
from fluenzr import FluenzrClient


class Sleeps(List[float]):
    """Stands in for the client's sleep: records each wait instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def via(proxy: FlakyProxy, server: Server, sleeps: Sleeps, **options: int) -> FluenzrClient:
    client = FluenzrClient(api_key=server.api_key, base_url=proxy.url, **options)  # type: ignore[arg-type]
    client._sleep = sleeps  # type: ignore[method-assign]
    return client


@pytest.fixture
def proxies() -> Iterator[List[FlakyProxy]]:
    made: List[FlakyProxy] = []
    yield made
    for proxy in made:
        proxy.close()


@pytest.mark.parametrize("mode", ["drop", "502"])
def test_a_retried_post_creates_once(
    mode: str,
    server: Server,
    client: FluenzrClient,
    unique: str,
    sleeps: Sleeps,
    proxies: List[FlakyProxy],
) -> None:
    proxy = FlakyProxy(server.url, mode, failures=1)
    proxies.append(proxy)
    email = f"retry.{mode}.{unique}@example.com"

    contact = via(proxy, server, sleeps).contacts.create(email=email, first_name="Once")

    # The server did the work for the first attempt, whose answer was lost on the way back
    assert proxy.forwarded == 2 and len(sleeps) == 1
    (m1, p1, h1), (m2, p2, h2) = proxy.seen
    assert (m1, p1) == (m2, p2) == ("POST", "/v1/contacts")
    assert h1["Idempotency-Key"] == h2["Idempotency-Key"]
    # The retry got the first answer back, and only one contact exists
    found = client.contacts.list(email=email)
    assert found.meta.total == 1
    assert found[0].id == contact.id and contact.first_name == "Once"


def test_every_write_has_a_key_of_its_own_and_reads_have_none(
    server: Server, unique: str, sleeps: Sleeps, proxies: List[FlakyProxy]
) -> None:
    proxy = FlakyProxy(server.url, "none", failures=0)
    proxies.append(proxy)
    client = via(proxy, server, sleeps)
    contact = client.contacts.create(email=f"keys.{unique}@example.com")
    client.contacts.update(contact.id, first_name="K")
    client.contacts.get(contact.id)
    client.contacts.delete(contact.id)
    keys = [headers.get("Idempotency-Key") for _, _, headers in proxy.seen]
    assert [m for m, _, _ in proxy.seen] == ["POST", "PUT", "GET", "DELETE"]
    assert keys[2] is None
    assert all(keys[i] for i in (0, 1, 3)) and len({keys[0], keys[1], keys[3]}) == 3


def test_an_idempotency_key_of_your_own_spans_calls(client: FluenzrClient, unique: str) -> None:
    key = f"import-42-{unique}"
    first = client.contacts.create(email=f"own.{unique}@example.com", idempotency_key=key)
    again = client.contacts.create(email=f"own.{unique}@example.com", idempotency_key=key)
    assert again.id == first.id


def test_retries_stop_after_max_retries(
    server: Server, sleeps: Sleeps, proxies: List[FlakyProxy]
) -> None:
    proxy = FlakyProxy(server.url, "502", failures=100)
    proxies.append(proxy)
    with pytest.raises(fluenzr.ServerError):
        via(proxy, server, sleeps).contacts.list()
    assert len(proxy.seen) == 3  # the call and max_retries=2 retries
    assert len(sleeps) == 2 and 0 < sleeps[0] < sleeps[1] <= 8

    proxy.seen.clear()
    with pytest.raises(fluenzr.ServerError):
        via(proxy, server, sleeps, max_retries=0).contacts.list()
    assert len(proxy.seen) == 1


def test_a_refused_connection_is_retried(
    server: Server, sleeps: Sleeps, proxies: List[FlakyProxy]
) -> None:
    proxy = FlakyProxy(server.url, "refuse", failures=1)
    proxies.append(proxy)
    page = via(proxy, server, sleeps).contacts.list()
    assert page.meta.page == 1
    assert (len(proxy.seen), proxy.forwarded, len(sleeps)) == (2, 1, 1)


def test_client_errors_are_not_retried(
    server: Server, sleeps: Sleeps, proxies: List[FlakyProxy]
) -> None:
    proxy = FlakyProxy(server.url, "none", failures=0)
    proxies.append(proxy)
    with pytest.raises(fluenzr.ValidationError):
        via(proxy, server, sleeps).contacts.create(email="nope")
    assert len(proxy.seen) == 1 and sleeps == []


def test_429_waits_for_retry_after(server: Server, proxies: List[FlakyProxy]) -> None:
    proxy = FlakyProxy(server.url, "429", failures=1)
    proxies.append(proxy)
    client = FluenzrClient(api_key=server.api_key, base_url=proxy.url)
    started = time.monotonic()
    assert client.contacts.list().meta.page == 1
    assert time.monotonic() - started >= 1.0
    assert len(proxy.seen) == 2


def test_429_from_the_server_is_retried_after_its_retry_after(
    limited_server: Server, sleeps: Sleeps
) -> None:
    key = limited_server.create_workspace("Retry after", "pro")
    client = FluenzrClient(api_key=key, base_url=limited_server.url, max_retries=1)
    client._sleep = sleeps  # type: ignore[method-assign]
    with pytest.raises(fluenzr.RateLimitError) as caught:
        for _ in range(10):
            client.contacts.list()
    # One wait of exactly Retry-After, then the retry (still limited) gave up
    assert caught.value.retry_after is not None
    assert len(sleeps) == 1 and abs(sleeps[0] - caught.value.retry_after) <= 1
