"""Every resource's happy path against a real server."""

from __future__ import annotations

import pytest
from support import SmtpSink, free_port, wait_until

from fluenzr import ConflictError, FluenzrClient, NotFoundError, Page, ValidationError
from fluenzr.types import (
    CampaignWithWarnings,
    Contact,
    DkimKeyCreated,
    Domain,
    EmailAccount,
    Group,
    Suppression,
)


def test_contacts(client: FluenzrClient, unique: str) -> None:
    contact = client.contacts.create(
        email=f"ana.{unique}@example.com",
        first_name="Ana",
        company="Acme",
        custom_fields={"plan_tier": "gold", "seats": 12},
    )
    assert isinstance(contact, Contact)
    assert contact.id.startswith("cnt_")
    assert (contact.first_name, contact.last_name, contact.status) == ("Ana", None, "active")
    # Keys inside customFields are the user's own: never re-cased
    assert contact.custom_fields == {"plan_tier": "gold", "seats": 12}

    assert client.contacts.get(contact.id) == contact

    updated = client.contacts.update(contact.id, last_name="Silva", company=None)
    assert (updated.last_name, updated.company, updated.first_name) == ("Silva", None, "Ana")
    assert updated.lead_status is None
    labelled = client.contacts.update(contact.id, lead_status="not_interested")
    assert labelled.lead_status == "not_interested"

    held = client.contacts.export(contact.id)
    assert held.contact.id == contact.id and held.messages == [] and held.exported_at

    page = client.contacts.list(email=unique)
    assert isinstance(page, Page) and isinstance(page, list)
    assert [c.id for c in page] == [contact.id]
    assert (page.meta.page, page.meta.total, page.meta.total_pages) == (1, 1, 1)

    batch = client.contacts.create_batch(
        [
            {"email": f"b1.{unique}@example.com", "first_name": "B1"},
            {"email": "not an email"},
            {"email": f"b2.{unique}@example.com", "custom_fields": {"source_id": "x-1"}},
        ]
    )
    assert (batch.created, batch.failed) == (2, 1)
    assert [r.success for r in batch.results] == [True, False, True]
    failure = batch.results[1].error
    assert failure is not None and failure.code == "VALIDATION_ERROR"
    second = batch.results[2].contact
    assert second is not None and second.custom_fields == {"source_id": "x-1"}

    deleted = client.contacts.delete(contact.id)
    assert (deleted.id, deleted.deleted) == (contact.id, True)
    assert client.contacts.list(email=f"ana.{unique}").meta.total == 0

    # Erased: the address stays suppressed, as a digest only.
    erased = client.contacts.delete(second.id, erase=True)
    assert (erased.id, erased.deleted) == (second.id, True)
    again = client.contacts.create(email=f"b2.{unique}@example.com")
    assert again.status == "unsubscribed"


def test_groups(client: FluenzrClient, unique: str) -> None:
    group = client.groups.create(name=f"Leads {unique}", description="From the fair")
    assert isinstance(group, Group) and group.contact_count == 0
    assert client.groups.get(group.id).description == "From the fair"
    assert client.groups.update(group.id, description=None).description is None
    assert [g.id for g in client.groups.list(name=unique)] == [group.id]

    a = client.contacts.create(email=f"a.{unique}@example.com")
    b = client.contacts.create(email=f"b.{unique}@example.com")
    added = client.groups.add_contacts(group.id, contact_ids=[a.id, b.id])
    assert (added.added, added.already_members, added.group.contact_count) == (2, 0, 2)
    again = client.groups.add_contacts(group.id, contact_ids=[a.id])
    assert (again.added, again.already_members) == (0, 1)
    members = client.groups.list_contacts(group.id, sort="email", order="asc")
    assert [c.id for c in members] == [a.id, b.id]
    assert group.id in client.contacts.get(a.id).group_ids

    removed = client.groups.remove_contacts(group.id, contact_ids=[a.id])
    assert (removed.removed, removed.not_members, removed.group.contact_count) == (1, 0, 1)
    assert client.groups.delete(group.id).deleted is True


def test_email_accounts(client: FluenzrClient, unique: str) -> None:
    port = free_port()
    account = client.email_accounts.create(
        email=f"sales.{unique}@example.com",
        name="Sales",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        smtp_password="app-password",
        daily_limit=50,
        timezone="Europe/Lisbon",
        send_gap_seconds=0,
    )
    assert isinstance(account, EmailAccount)
    assert (account.smtp_port, account.daily_limit, account.timezone) == (port, 50, "Europe/Lisbon")
    assert account.reply_tracking == "off"
    assert not hasattr(account, "smtp_password")
    assert client.email_accounts.get(account.id).email == account.email
    assert client.email_accounts.update(account.id, daily_limit=75).daily_limit == 75
    assert account.id in [a.id for a in client.email_accounts.list_all()]

    check = client.email_accounts.test(account.id)
    assert check.smtp.ok is False  # nothing listens on that port
    assert check.smtp.steps[0].step == "connect"
    assert check.imap is None
    assert check.email_account.id == account.id

    assert client.email_accounts.delete(account.id).deleted is True


def test_campaigns(client: FluenzrClient, unique: str) -> None:
    account = client.email_accounts.create(
        email=f"c.{unique}@example.com",
        smtp_host="127.0.0.1",
        smtp_port=free_port(),
        smtp_security="none",
        smtp_password="x",
    )
    campaign = client.campaigns.create(
        name=f"Campaign {unique}",
        email_account_id=account.id,
        steps=[
            {"subject": "Hi {{firstName | there}}", "body": "Hello {{company}}"},
            {"body": "Just following up", "delay_days": 3},
        ],
        schedule={
            "timezone": "America/Sao_Paulo",
            "days": [1, 2, 3, 4, 5],
            "start_time": "09:00",
            "end_time": "17:00",
        },
        daily_limit=40,
        stop_on_reply=True,
    )
    assert isinstance(campaign, CampaignWithWarnings) and campaign.status == "draft"
    assert [s.delay_days for s in campaign.steps] == [0, 3]
    assert campaign.steps[1].subject == ""  # a follow-up without a subject replies to the first
    assert campaign.schedule.start_time == "09:00"
    assert client.campaigns.get(campaign.id).daily_limit == 40
    assert client.campaigns.update(campaign.id, daily_limit=30).daily_limit == 30
    assert campaign.id in [c.id for c in client.campaigns.list(status="draft", per_page=100)]

    contact = client.contacts.create(email=f"lead.{unique}@example.com", first_name="Lea")
    group = client.groups.create(name=f"Campaign group {unique}")
    other = client.contacts.create(email=f"lead2.{unique}@example.com")
    client.groups.add_contacts(group.id, contact_ids=[other.id])
    enrolled = client.campaigns.add_contacts(
        campaign.id, contact_ids=[contact.id], group_id=group.id
    )
    assert (enrolled.added, enrolled.already_enrolled, enrolled.campaign.contact_count) == (2, 0, 2)

    enrolments = client.campaigns.list_contacts(campaign.id)
    assert {e.contact.id for e in enrolments} == {contact.id, other.id}
    assert all(e.state == "pending" or e.state == "active" for e in enrolments)

    assert client.campaigns.start(campaign.id).status == "running"
    status = client.campaigns.get_sending_status(campaign.id)
    assert status.daily_limit == 30
    assert [a.email_account_id for a in status.accounts] == [account.id]
    assert client.campaigns.pause(campaign.id).status == "paused"
    assert client.campaigns.get_sending_status(campaign.id).state == "paused"

    stats = client.campaigns.get_stats(campaign.id, from_="2026-01-01", to="2026-01-03")
    assert stats.campaign_id == campaign.id
    assert (stats.contacts, stats.sent, stats.open_rate, stats.reply_rate) == (2, 0, 0.0, 0.0)
    assert [s.step for s in stats.steps] == [1, 2]
    assert [d.date for d in stats.timeline] == ["2026-01-01", "2026-01-02", "2026-01-03"]

    assert client.campaigns.delete(campaign.id).deleted is True


def test_graphql(client: FluenzrClient, unique: str) -> None:
    contact = client.contacts.create(email=f"gql.{unique}@example.com", first_name="Gil")
    data = client.graphql(
        "query($id: ID!) { contact(id: $id) { id email firstName } }", {"id": contact.id}
    )
    assert data == {"contact": {"id": contact.id, "email": contact.email, "firstName": "Gil"}}


def test_suppressions(client: FluenzrClient, unique: str) -> None:
    added = client.suppressions.add(kind="email", value=f"Ana.{unique}@Example.com")
    assert (added.created, added.existing) == (1, 0)
    one = added.items[0]
    assert isinstance(one, Suppression) and one.id.startswith("sup_")
    assert (one.kind, one.value, one.source) == ("email", f"ana.{unique}@example.com", "manual")

    many = client.suppressions.add_many(
        [
            {"kind": "domain", "value": f"{unique}.example", "source": "complaint"},
            {"kind": "email", "value": f"ana.{unique}@example.com"},
        ]
    )
    assert (many.created, many.existing) == (1, 1)
    assert many.items[1].id == one.id

    # A contact at a suppressed domain lands unsubscribed and cannot be made active.
    contact = client.contacts.create(email=f"bo@{unique}.example")
    assert contact.status == "unsubscribed"
    with pytest.raises(ConflictError) as refused:
        client.contacts.update(contact.id, status="active")
    assert refused.value.code == "SUPPRESSED"

    page = client.suppressions.list(value=unique, kind="domain")
    assert [s.value for s in page] == [f"{unique}.example"]
    with pytest.raises(ValidationError):
        client.suppressions.add_many([{"kind": "domain", "value": "not a domain"}])

    deleted = client.suppressions.delete(page[0].id, reason="Partner domain")
    assert (deleted.id, deleted.deleted) == (page[0].id, True)
    assert client.contacts.update(contact.id, status="active").status == "active"
    assert [s.id for s in client.suppressions.list_all(value=unique)] == [one.id]


def test_domains(client: FluenzrClient, unique: str) -> None:
    account = client.email_accounts.create(
        email=f"sales.{unique}@acme.test",
        smtp_host="127.0.0.1",
        smtp_port=free_port(),
        smtp_security="none",
        smtp_password="secret",
    )

    page = client.domains.list()
    assert isinstance(page, Page) and page.meta.page == 1
    listed = [d for d in client.domains.list_all() if d.name == "acme.test"]
    assert len(listed) == 1 and isinstance(listed[0], Domain)
    assert account.id in listed[0].email_account_ids

    # DNS is a closed loopback port here: the check reports a problem, but it is made.
    domain = client.domains.get("acme.test")
    assert isinstance(domain, Domain) and domain.name == "acme.test"
    assert domain.checked_at is not None
    assert domain.verdicts is not None
    assert domain.verdicts.gmail_yahoo_bulk.status in ("pass", "fail")
    assert domain.verdicts.microsoft_high_volume.status in ("pass", "fail")
    assert domain.dkim_keys == []

    checked = client.domains.check("acme.test")
    assert checked.name == "acme.test"
    assert checked.verdicts is not None and checked.checked_at is not None

    made = client.domains.create_dkim_key("acme.test", algorithm="ed25519", selector="s1")
    assert isinstance(made, DkimKeyCreated)
    key = made.key
    assert (key.selector, key.algorithm, key.state) == ("s1", "ed25519", "pending")
    assert (key.record.type, key.record.name) == ("TXT", "s1._domainkey.acme.test")
    assert key.record.value.startswith("v=DKIM1; k=ed25519; p="), key.record.value
    assert [(k.selector, k.state) for k in made.domain.dkim_keys] == [("s1", "pending")]

    with pytest.raises(ConflictError) as duplicate:
        client.domains.create_dkim_key("acme.test", algorithm="ed25519", selector="s1")
    assert duplicate.value.code == "CONFLICT"
    with pytest.raises(ValidationError):
        client.domains.create_dkim_key("acme.test", selector="not a selector!")
    # Not found in DNS yet: it cannot sign.
    with pytest.raises(ConflictError) as unpublished:
        client.domains.activate_dkim_key("acme.test", "s1")
    assert unpublished.value.status == 409
    with pytest.raises(NotFoundError) as unknown:
        client.domains.get(f"{unique}.unknown.test")
    assert unknown.value.code == "NOT_FOUND"

    after = client.domains.delete_dkim_key("acme.test", "s1")
    assert after.name == "acme.test" and after.dkim_keys == []
    assert client.domains.get("acme.test").dkim_keys == []
    client.email_accounts.delete(account.id)


def test_a_sent_message_reads_back_as_the_smtp_server_received_it(
    client: FluenzrClient, unique: str
) -> None:
    sink = SmtpSink()
    try:
        account = client.email_accounts.create(
            email=f"ab.{unique}@example.com",
            smtp_host="127.0.0.1",
            smtp_port=sink.port,
            smtp_security="none",
            smtp_password="secret",
            send_gap_seconds=0,
        )
        contact = client.contacts.create(
            email=f"vera.{unique}@example.com", first_name="Vera", company="Initech"
        )
        campaign = client.campaigns.create(
            name=f"A/B {unique}",
            email_account_id=account.id,
            steps=[
                {
                    "variants": [
                        {
                            "subject": "{{RANDOM | An idea | A thought}} for {{company}}",
                            "body": "{{RANDOM | Hi | Hello}} {{firstName}}, one idea.",
                            "weight": 1,
                        },
                        {
                            "subject": "Quick question, {{firstName}}",
                            "body": "Hi {{firstName}}, one question.",
                            "weight": 1,
                        },
                    ]
                },
                {"subject": "", "body": "Following up.", "delay_days": 2, "send_if": "not_opened"},
            ],
            schedule={
                "timezone": "UTC",
                "days": [1, 2, 3, 4, 5, 6, 7],
                "start_time": "00:00",
                "end_time": "23:59",
            },
            track_opens=False,
            track_clicks=False,
        )
        variants = [v.id for v in campaign.steps[0].variants]
        assert len(variants) == 2 and all(v.startswith("var_") for v in variants)
        assert campaign.steps[1].send_if == "not_opened"
        client.campaigns.add_contacts(campaign.id, contact_ids=[contact.id])
        client.campaigns.start(campaign.id)

        def sent() -> object:
            data = client.graphql(
                "query($id: ID!) { contact(id: $id) { messages { id state } } }",
                {"id": contact.id},
            )
            return next((m for m in data["contact"]["messages"] if m["state"] == "sent"), None)

        first = wait_until(sent, 15, "the first step to be sent")
        message = client.messages.get(first["id"])  # type: ignore[index]
        assert message.variant_id in variants
        assert message.body_text is None
        assert len(sink.received) == 1
        headers, _, body = sink.received[0].partition("\r\n\r\n")
        assert f"Subject: {message.subject}\r\n" in headers + "\r\n"
        assert body.rstrip("\r\n") == message.body
        assert message.subject in ("An idea for Initech", "A thought for Initech", "Quick question, Vera")
        with pytest.raises(NotFoundError):
            client.messages.get("msg_missing")

        # The message's seed makes the preview that very email.
        again = client.campaigns.preview(
            campaign.id, contact_id=contact.id, step=1, seed=message.seed
        )
        assert (again.subject, again.body, again.variant_id) == (
            message.subject,
            message.body,
            message.variant_id,
        )
        plan = client.campaigns.get_contact_plan(campaign.id, contact.id)
        assert [s.step for s in plan.steps] == [2]
        assert "condition" in [r.code for r in plan.steps[0].reasons]
        test = client.campaigns.send_test(
            campaign.id, to=f"qa.{unique}@example.com", contact_id=contact.id, step=1
        )
        assert test.sent is True and test.outcome == "sent"
        wait_until(lambda: len(sink.received) == 2, 5, "the test email")
        assert f"qa.{unique}@example.com" in sink.received[1]
    finally:
        sink.close()


def test_inbox(client: FluenzrClient) -> None:
    page = client.inbox.list(unread=True, lead_status="interested")
    assert list(page) == [] and page.meta.total == 0
    with pytest.raises(NotFoundError):
        client.inbox.get("thr_01m6e1q4r6s8t0v2w4x6y8z0a2")
    with pytest.raises(NotFoundError):
        client.inbox.reply("thr_01m6e1q4r6s8t0v2w4x6y8z0a2", "Hi")
