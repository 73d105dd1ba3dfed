"""Checked by mypy --strict (test.sh), not run: the public API is typed as documented.

Each ``type: ignore`` marks a call that must stay an error; mypy --strict reports an ignore
that is no longer needed.
"""

from __future__ import annotations

from typing import AsyncIterator, Iterator, List

from fluenzr import AsyncFluenzrClient, FluenzrClient, Page
from fluenzr.types import Campaign, CampaignStats, Contact, ListMeta


def sync_usage(client: FluenzrClient) -> None:
    contact: Contact = client.contacts.create(email="a@example.com", first_name="Ana")
    page: Page[Contact] = client.contacts.list(per_page=50, sort="email", order="asc")
    meta: ListMeta = page.meta
    total: int = meta.total_pages
    contacts: List[Contact] = page
    every: Iterator[Campaign] = client.campaigns.list_all(status="running")
    stats: CampaignStats = client.campaigns.get_stats(contact.id, from_="2026-11-01")
    rate: float = stats.open_rate + stats.reply_rate
    client.campaigns.add_contacts("cmp_1", group_id="grp_1")

    client.contacts.create(first_name="No email")  # type: ignore[call-arg]
    client.contacts.create(email="a@example.com", firstName="Ana")  # type: ignore[call-arg]
    client.contacts.list(sort="nope")  # type: ignore[arg-type]
    client.campaigns.create(name="x", daily_limit="ten")  # type: ignore[arg-type]
    print(stats.openRate)  # type: ignore[attr-defined]
    del total, contacts, every, rate


async def async_usage(client: AsyncFluenzrClient) -> None:
    campaign: Campaign = await client.campaigns.create(name="Q1", steps=[{"body": "Hello"}])
    every: AsyncIterator[Contact] = client.contacts.list_all()
    async for contact in every:
        print(contact.email)
    data = await client.graphql("{ contacts { pageInfo { total } } }")
    print(campaign.id, data["contacts"])
    await client.campaigns.start()  # type: ignore[call-arg]
