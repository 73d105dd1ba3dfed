"""Webhook endpoints through the API, and the signature of a real delivery verified."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Iterator

import pytest
from support import WebhookReceiver

import fluenzr
from fluenzr import FluenzrClient, verify_webhook


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    r = WebhookReceiver()
    yield r
    r.close()


def test_webhooks_and_a_real_signed_delivery(
    client: FluenzrClient, receiver: WebhookReceiver, unique: str
) -> None:
    webhook = client.webhooks.create(
        url=receiver.url, events=["contact.created"], description=f"CRM {unique}"
    )
    assert webhook.secret and webhook.secret.startswith("whsec_")
    assert (webhook.events, webhook.active) == (["contact.created"], True)
    assert client.webhooks.get(webhook.id).description == f"CRM {unique}"
    assert webhook.id in [w.id for w in client.webhooks.list_all()]

    email = f"hook.{unique}@example.com"
    client.contacts.create(email=email, first_name="Hook")
    headers, body = receiver.wait_for(
        lambda e: e["type"] == "contact.created" and e["data"]["email"] == email
    )

    event = verify_webhook(body, headers, webhook.secret)
    assert event["type"] == "contact.created" and event["id"].startswith("evt_")
    assert event["data"]["firstName"] == "Hook"

    # A changed body, another secret, or a replay long after does not verify
    with pytest.raises(fluenzr.WebhookVerificationError, match="signature"):
        verify_webhook(body.replace(b"Hook", b"Hack"), headers, webhook.secret)
    other = "whsec_" + base64.b64encode(b"another secret of 32 bytes......").decode()
    with pytest.raises(fluenzr.WebhookVerificationError, match="signature"):
        verify_webhook(body, headers, other)
    sent_at = int(headers["webhook-timestamp"])
    with pytest.raises(fluenzr.WebhookVerificationError, match="too old"):
        verify_webhook(body, headers, webhook.secret, now=sent_at + 301)
    with pytest.raises(fluenzr.WebhookVerificationError, match="too new"):
        verify_webhook(body, headers, webhook.secret, now=sent_at - 301)
    assert verify_webhook(body, headers, webhook.secret, now=sent_at + 299)["id"] == event["id"]
    # A moved timestamp breaks the signature, since it is signed
    moved = {**headers, "webhook-timestamp": str(sent_at + 1)}
    with pytest.raises(fluenzr.WebhookVerificationError, match="signature"):
        verify_webhook(body, moved, webhook.secret, now=sent_at)
    # Header names in any case; the body as text
    lowered = {k.upper(): v for k, v in headers.items()}
    assert verify_webhook(body.decode(), lowered, webhook.secret)["id"] == event["id"]

    # After a rotation both secrets sign, in one header: either one verifies
    rotated = client.webhooks.rotate_secret(webhook.id)
    assert rotated.secret and rotated.secret != webhook.secret
    test_event = client.webhooks.test(webhook.id)
    headers, body = receiver.wait_for(lambda e: e["id"] == test_event.event_id)
    assert len(headers["webhook-signature"].split()) == 2
    assert verify_webhook(body, headers, rotated.secret)["type"] == "webhook.test"
    assert verify_webhook(body, headers, webhook.secret)["type"] == "webhook.test"

    deliveries = client.webhooks.list_deliveries(webhook.id)
    assert {d.event_type for d in deliveries} >= {"contact.created", "webhook.test"}
    assert all(d.success and d.status_code == 204 for d in deliveries)

    updated = client.webhooks.update(webhook.id, active=False, events=["*"])
    assert (updated.active, updated.events) == (False, ["*"])
    assert client.webhooks.delete(webhook.id).deleted is True


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret[len("whsec_") :])
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def test_verification_rules_offline() -> None:
    secret = "whsec_" + base64.b64encode(b"k" * 24).decode()
    body = json.dumps({"id": "evt_1", "type": "contact.created", "data": {}}).encode()
    good = sign(secret, "msg_1", 1_700_000_000, body)
    headers = {"webhook-id": "msg_1", "webhook-timestamp": "1700000000"}
    now = 1_700_000_010
    assert verify_webhook(body, {**headers, "webhook-signature": good}, secret, now=now)
    several = f"v1,bm9wZQ== v2,{good[3:]} {good}"
    assert verify_webhook(body, {**headers, "webhook-signature": several}, secret, now=now)
    for bad in ("", "v1,bm9wZQ==", good.replace("v1,", "v2,")):
        with pytest.raises(fluenzr.WebhookVerificationError):
            verify_webhook(body, {**headers, "webhook-signature": bad}, secret, now=now)
    with pytest.raises(fluenzr.WebhookVerificationError, match="timestamp"):
        verify_webhook(
            body, {**headers, "webhook-timestamp": "soon", "webhook-signature": good}, secret
        )
    with pytest.raises(ValueError):
        verify_webhook(body, {**headers, "webhook-signature": good}, "whsec_***", now=now)
