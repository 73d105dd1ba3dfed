from __future__ import annotations

from typing import List

import httpx
from support import Server

from fluenzr import FluenzrClient


def test_pages_and_the_auto_paginating_iterator(
    client: FluenzrClient, server: Server, unique: str
) -> None:
    batch = client.contacts.create_batch(
        [{"email": f"p{i:02d}.{unique}@example.com"} for i in range(25)]
    )
    assert batch.created == 25
    expected = sorted(f"p{i:02d}.{unique}@example.com" for i in range(25))

    first = client.contacts.list(email=unique, per_page=10, sort="email", order="asc")
    assert len(first) == 10
    assert (first.meta.page, first.meta.per_page, first.meta.total, first.meta.total_pages) == (
        1,
        10,
        25,
        3,
    )
    assert first.has_next_page
    second = first.next_page()
    assert second is not None and second.meta.page == 2
    assert [c.email for c in second] == expected[10:20]
    pages = list(first.iter_pages())
    assert [len(p) for p in pages] == [10, 10, 5]
    last = pages[-1]
    assert not last.has_next_page and last.next_page() is None

    walked = [
        c.email
        for c in client.contacts.list_all(email=unique, per_page=7, sort="email", order="asc")
    ]
    assert walked == expected

    # Walking asks for 100 a page unless told otherwise: one request here
    urls: List[httpx.URL] = []
    counting = httpx.Client(event_hooks={"request": [lambda request: urls.append(request.url)]})
    with FluenzrClient(api_key=server.api_key, base_url=server.url, http_client=counting) as c:
        assert len(list(c.contacts.list_all(email=unique))) == 25
    assert len(urls) == 1 and urls[0].params["perPage"] == "100"
    counting.close()

    page3 = client.contacts.list(email=unique, per_page=10, page=3, sort="email", order="asc")
    assert [c.email for c in page3] == expected[20:]


def test_pages_of_nested_lists(client: FluenzrClient, unique: str) -> None:
    group = client.groups.create(name=f"Paged {unique}")
    batch = client.contacts.create_batch(
        [{"email": f"g{i}.{unique}@example.com", "group_ids": [group.id]} for i in range(5)]
    )
    assert batch.created == 5
    page = client.groups.list_contacts(group.id, per_page=2)
    assert page.meta.total == 5
    assert len(list(page.auto_paging_iter())) == 5


def test_walking_asks_for_each_later_page_by_cursor(
    client: FluenzrClient, server: Server, unique: str
) -> None:
    emails = [f"w{i:02d}.{unique}@example.com" for i in range(12)]
    assert client.contacts.create_batch([{"email": e} for e in emails]).created == 12
    urls: List[httpx.URL] = []
    counting = httpx.Client(event_hooks={"request": [lambda request: urls.append(request.url)]})
    seen: List[str] = []
    added = f"w07a.{unique}@example.com"
    with FluenzrClient(api_key=server.api_key, base_url=server.url, http_client=counting) as c:
        first = c.contacts.list(email=unique, per_page=5, sort="email", order="asc")
        assert first.meta.next_cursor is not None and first.meta.total_is_estimate is False
        for contact in first.auto_paging_iter():
            seen.append(contact.email)
            if len(seen) == 1:
                # Sorts into a page not read yet: seen once, and nothing after it repeats.
                client.contacts.create(email=added)
    counting.close()
    assert seen == sorted(emails + [added])
    assert len(urls) == 3
    assert "cursor" not in urls[0].params
    for url in urls[1:]:
        assert url.params["cursor"] and "page" not in url.params
