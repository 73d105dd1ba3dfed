"""Verification of webhook deliveries, signed per Standard Webhooks."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any, Dict, Mapping, Optional, Union

from ._errors import WebhookVerificationError

DEFAULT_TOLERANCE = 300  # seconds either side of now


def _secret_key(secret: str) -> bytes:
    encoded = secret[len("whsec_") :] if secret.startswith("whsec_") else secret
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as err:
        raise ValueError("The webhook secret is not a whsec_… base64 secret") from err


def verify_webhook(
    payload: Union[bytes, str],
    headers: Mapping[str, str],
    secret: str,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: Optional[float] = None,
) -> Dict[str, Any]:
    """Checks a delivery and returns its event (``id``, ``type``, ``createdAt``, ``data``…).

    ``payload`` is the raw request body, exactly as received; ``headers`` the request's
    headers (any case); ``secret`` the endpoint's ``whsec_…`` secret. Raises
    ``WebhookVerificationError`` unless one of the ``webhook-signature`` entries is the
    HMAC-SHA256 of ``"{webhook-id}.{webhook-timestamp}.{body}"`` and the timestamp is
    within ``tolerance`` seconds of now.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    msg_id = lowered.get("webhook-id")
    timestamp = lowered.get("webhook-timestamp")
    signatures = lowered.get("webhook-signature")
    if not msg_id or not timestamp or not signatures:
        raise WebhookVerificationError(
            "Missing webhook-id, webhook-timestamp or webhook-signature header"
        )
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise WebhookVerificationError("Invalid webhook-timestamp header") from None
    current = time.time() if now is None else now
    if current - sent_at > tolerance:
        raise WebhookVerificationError("Webhook timestamp too old")
    if sent_at - current > tolerance:
        raise WebhookVerificationError("Webhook timestamp too new")

    body = payload.encode("utf-8") if isinstance(payload, str) else payload
    signed = msg_id.encode("utf-8") + b"." + timestamp.encode("utf-8") + b"." + body
    digest = hmac.new(_secret_key(secret), signed, hashlib.sha256).digest()
    expected = base64.b64encode(digest)
    for entry in signatures.split():
        version, _, signature = entry.partition(",")
        if version == "v1" and hmac.compare_digest(signature.encode("utf-8"), expected):
            break
    else:
        raise WebhookVerificationError("No matching webhook signature")
    try:
        event = json.loads(body)
    except ValueError:
        raise WebhookVerificationError("The webhook body is not JSON") from None
    if not isinstance(event, dict):
        raise WebhookVerificationError("The webhook body is not a JSON object")
    return event
