"""Checked by mypy --strict (test.sh), not run: the public API is typed as documented.

Each ``type: ignore`` marks a call that must stay an error; mypy --strict reports an ignore
that is no longer needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator, Iterator, List, Optional

from fluenzr import AsyncFluenzrClient, FluenzrClient, Page
from fluenzr.types import (
    Campaign,
    CampaignStats,
    CampaignWithWarnings,
    Contact,
    ContactPlan,
    DkimKeyCreated,
    Domain,
    DomainDkimKey,
    EmailPreview,
    Import,
    ImportRowError,
    ListMeta,
    Message,
)


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

    started: Import = client.contacts.import_csv(
        Path("leads.csv"), group_id="grp_1", duplicates="update", mapping={"E-mail": "email"}
    )
    client.contacts.import_csv(b"email\n")
    client.contacts.import_csv("email\n", idempotency_key="csv-1")
    with open("leads.csv", "rb") as file:
        client.contacts.import_csv(file)
    done: Import = client.imports.wait(started.id, interval=1, on_progress=print)
    errors: List[ImportRowError] = done.errors
    column: Optional[str] = errors[0].column
    row: int = errors[0].row + done.failed_rows
    client.contacts.import_csv("email\n", duplicates="merge")  # type: ignore[arg-type]
    client.contacts.import_csv("email\n", mapping='{"E-mail": "email"}')  # type: ignore[arg-type]
    client.contacts.import_csv({"email": "a@example.com"})  # type: ignore[arg-type]
    domains: Page[Domain] = client.domains.list(per_page=100)
    made: DkimKeyCreated = client.domains.create_dkim_key(
        domains[0].name, algorithm="ed25519", selector="s1"
    )
    key: DomainDkimKey = made.key
    state: str = key.state
    signing: Domain = client.domains.activate_dkim_key(made.domain.name, key.selector)
    client.domains.create_dkim_key("example.com", algorithm="rsa-1024")  # type: ignore[arg-type]
    client.domains.activate_dkim_key("example.com")  # type: ignore[call-arg]
    print(state, signing.dkim_keys, client.domains.delete_dkim_key("example.com", "s1").name)
    del total, contacts, every, rate, column, row


async def async_usage(client: AsyncFluenzrClient) -> None:
    campaign: CampaignWithWarnings = await client.campaigns.create(
        name="Q1", steps=[{"subject": "Hi {{firstname}}", "body": "Hello"}]
    )
    typo: Optional[str] = campaign.warnings[0].suggestion if campaign.warnings else None
    plan: ContactPlan = await client.campaigns.get_contact_plan(campaign.id, "cnt_1")
    preview: EmailPreview = await client.campaigns.preview(campaign.id, contact_id="cnt_1", step=1)
    await client.campaigns.preview(campaign.id, contact_id="cnt_1")  # type: ignore[call-arg]
    sent: Message = await client.messages.get("msg_1")
    print(typo, plan.steps, preview.headers, sent.variant_id)
    every: AsyncIterator[Contact] = client.contacts.list_all()
    async for contact in every:
        print(contact.email)
    data = await client.graphql("{ contacts { pageInfo { total } } }")
    print(campaign.id, data["contacts"])
    await client.campaigns.start()  # type: ignore[call-arg]
    imp: Import = await client.contacts.import_csv("email\na@example.com\n", duplicates="skip")
    finished: Import = await client.imports.wait(imp.id, timeout=60)
    print(finished.status)
    async for domain in client.domains.list_all():
        verdicts = domain.verdicts
        print(domain.name, verdicts.gmail_yahoo_bulk.status if verdicts else None)
    checked: Domain = await client.domains.check("example.com")
    print(checked.checked_at)
