"""AsyncFluenzrClient: the same surface, awaited; lists walked with ``async for``."""

from __future__ import annotations

import asyncio

import pytest
from support import Server, free_port

import fluenzr
from fluenzr import AsyncFluenzrClient, AsyncPage


def test_async_happy_path(server: Server, unique: str) -> None:
    async def main() -> None:
        async with AsyncFluenzrClient(api_key=server.api_key, base_url=server.url) as client:
            created = await asyncio.gather(
                *(
                    client.contacts.create(email=f"as{i}.{unique}@example.com", first_name=f"A{i}")
                    for i in range(5)
                )
            )
            assert len({c.id for c in created}) == 5

            page = await client.contacts.list(email=unique, per_page=2, sort="email", order="asc")
            assert isinstance(page, AsyncPage) and len(page) == 2 and page.meta.total_pages == 3
            nxt = await page.next_page()
            assert nxt is not None and nxt.meta.page == 2
            walked = [c.email async for c in page.auto_paging_iter()]
            assert walked == sorted(c.email for c in created)
            assert len([c async for c in client.contacts.list_all(email=unique, per_page=2)]) == 5

            group = await client.groups.create(name=f"Async {unique}")
            await client.groups.add_contacts(group.id, contact_ids=[c.id for c in created])
            account = await client.email_accounts.create(
                email=f"async.{unique}@example.com",
                smtp_host="127.0.0.1",
                smtp_port=free_port(),
                smtp_security="none",
                smtp_password="x",
            )
            campaign = await client.campaigns.create(
                name=f"Async {unique}",
                email_account_id=account.id,
                steps=[{"subject": "Hi", "body": "Hello"}],
            )
            added = await client.campaigns.add_contacts(campaign.id, group_id=group.id)
            assert added.added == 5
            assert (await client.campaigns.start(campaign.id)).status == "running"
            stats = await client.campaigns.get_stats(campaign.id)
            assert (stats.contacts, stats.open_rate) == (5, 0.0)
            assert campaign.id in [c.id async for c in client.campaigns.list_all()]

            data = await client.graphql(
                "query($name: String) { groups(filter: {name: $name}) { pageInfo { total } } }",
                {"name": unique},
            )
            assert data["groups"]["pageInfo"]["total"] == 1

            with pytest.raises(fluenzr.NotFoundError) as caught:
                await client.contacts.get("cnt_missing")
            assert caught.value.request_id

            # Not a subdomain: each check then waits on fewer lookups (DNS never answers here).
            name = f"acme-{unique}.test"
            await client.email_accounts.create(
                email=f"sales@{name}",
                smtp_host="127.0.0.1",
                smtp_port=free_port(),
                smtp_security="none",
                smtp_password="x",
            )
            domains = await client.domains.list(per_page=100)
            assert isinstance(domains, AsyncPage)
            assert name in [d.name async for d in client.domains.list_all()]
            domain = await client.domains.get(name)
            assert domain.verdicts is not None and domain.checked_at is not None
            assert (await client.domains.check(name)).verdicts is not None
            made = await client.domains.create_dkim_key(name, algorithm="ed25519", selector="s1")
            assert made.key.state == "pending"
            assert made.key.record.value.startswith("v=DKIM1; k=ed25519; p=")
            with pytest.raises(fluenzr.ConflictError):
                await client.domains.create_dkim_key(name, algorithm="ed25519", selector="s1")
            with pytest.raises(fluenzr.ConflictError):
                await client.domains.activate_dkim_key(name, "s1")
            with pytest.raises(fluenzr.NotFoundError):
                await client.domains.get(f"missing.{name}")
            assert (await client.domains.delete_dkim_key(name, "s1")).dkim_keys == []

    asyncio.run(main())
