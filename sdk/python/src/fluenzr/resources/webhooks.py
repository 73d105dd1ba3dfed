from __future__ import annotations

from typing import TYPE_CHECKING, AsyncIterator, Iterator, Optional

from .._base import path_id
from .._convert import params_to_wire
from .._generated.models import (
    Deleted,
    Webhook,
    WebhookDelivery,
    WebhookTestEvent,
    WebhookWithSecret,
)
from .._generated.params import (
    CreateWebhookParams,
    ListWebhookDeliveriesParams,
    ListWebhooksParams,
    UpdateWebhookParams,
)
from .._pagination import AsyncPage, Page
from ._base import WALK_PAGE_SIZE, AsyncResource, SyncResource

if TYPE_CHECKING:
    from .._compat import Unpack


def _path(webhook_id: str, rest: str = "") -> str:
    return f"/v1/webhooks/{path_id(webhook_id, 'webhook_id')}{rest}"


class Webhooks(SyncResource):
    """``/v1/webhooks``: endpoints that receive signed events (see ``fluenzr.verify_webhook``)."""

    def list(self, **params: Unpack[ListWebhooksParams]) -> Page[Webhook]:
        query = params_to_wire(params, ListWebhooksParams)
        return self._client._page(Webhook, "/v1/webhooks", query)

    def list_all(self, **params: Unpack[ListWebhooksParams]) -> Iterator[Webhook]:
        params.setdefault("per_page", WALK_PAGE_SIZE)
        yield from self.list(**params).auto_paging_iter()

    def get(self, webhook_id: str) -> Webhook:
        return self._client._call(Webhook, "GET", _path(webhook_id))

    def create(
        self, *, idempotency_key: Optional[str] = None, **params: Unpack[CreateWebhookParams]
    ) -> WebhookWithSecret:
        """Subscribes ``url`` to ``events`` (default all); the answer's ``secret`` is shown once."""
        body = params_to_wire(params, CreateWebhookParams)
        return self._client._call(
            WebhookWithSecret,
            "POST",
            "/v1/webhooks",
            body=body,
            idempotency_key=idempotency_key,
        )

    def update(
        self,
        webhook_id: str,
        *,
        idempotency_key: Optional[str] = None,
        **params: Unpack[UpdateWebhookParams],
    ) -> Webhook:
        """Replaces the fields given; ``active=True`` re-enables a disabled endpoint."""
        body = params_to_wire(params, UpdateWebhookParams)
        return self._client._call(
            Webhook, "PUT", _path(webhook_id), body=body, idempotency_key=idempotency_key
        )

    def delete(self, webhook_id: str, *, idempotency_key: Optional[str] = None) -> Deleted:
        return self._client._call(
            Deleted, "DELETE", _path(webhook_id), idempotency_key=idempotency_key
        )

    def test(self, webhook_id: str, *, idempotency_key: Optional[str] = None) -> WebhookTestEvent:
        """Queues a ``webhook.test`` event for the endpoint."""
        return self._client._call(
            WebhookTestEvent,
            "POST",
            _path(webhook_id, "/test"),
            idempotency_key=idempotency_key,
        )

    def rotate_secret(
        self, webhook_id: str, *, idempotency_key: Optional[str] = None
    ) -> WebhookWithSecret:
        """A new signing secret; the old one keeps signing too for 24 hours."""
        return self._client._call(
            WebhookWithSecret,
            "POST",
            _path(webhook_id, "/rotate-secret"),
            idempotency_key=idempotency_key,
        )

    def list_deliveries(
        self, webhook_id: str, **params: Unpack[ListWebhookDeliveriesParams]
    ) -> Page[WebhookDelivery]:
        """One page of delivery attempts: event, attempt number, status code, error, duration."""
        query = params_to_wire(params, ListWebhookDeliveriesParams)
        return self._client._page(WebhookDelivery, _path(webhook_id, "/deliveries"), query)


class AsyncWebhooks(AsyncResource):
    """``/v1/webhooks``: endpoints that receive signed events (see ``fluenzr.verify_webhook``)."""

    async def list(self, **params: Unpack[ListWebhooksParams]) -> AsyncPage[Webhook]:
        query = params_to_wire(params, ListWebhooksParams)
        return await self._client._page(Webhook, "/v1/webhooks", query)

    async def list_all(self, **params: Unpack[ListWebhooksParams]) -> AsyncIterator[Webhook]:
        params.setdefault("per_page", WALK_PAGE_SIZE)
        async for webhook in (await self.list(**params)).auto_paging_iter():
            yield webhook

    async def get(self, webhook_id: str) -> Webhook:
        return await self._client._call(Webhook, "GET", _path(webhook_id))

    async def create(
        self, *, idempotency_key: Optional[str] = None, **params: Unpack[CreateWebhookParams]
    ) -> WebhookWithSecret:
        """Subscribes ``url`` to ``events`` (default all); the answer's ``secret`` is shown once."""
        body = params_to_wire(params, CreateWebhookParams)
        return await self._client._call(
            WebhookWithSecret,
            "POST",
            "/v1/webhooks",
            body=body,
            idempotency_key=idempotency_key,
        )

    async def update(
        self,
        webhook_id: str,
        *,
        idempotency_key: Optional[str] = None,
        **params: Unpack[UpdateWebhookParams],
    ) -> Webhook:
        """Replaces the fields given; ``active=True`` re-enables a disabled endpoint."""
        body = params_to_wire(params, UpdateWebhookParams)
        return await self._client._call(
            Webhook, "PUT", _path(webhook_id), body=body, idempotency_key=idempotency_key
        )

    async def delete(self, webhook_id: str, *, idempotency_key: Optional[str] = None) -> Deleted:
        return await self._client._call(
            Deleted, "DELETE", _path(webhook_id), idempotency_key=idempotency_key
        )

    async def test(
        self, webhook_id: str, *, idempotency_key: Optional[str] = None
    ) -> WebhookTestEvent:
        """Queues a ``webhook.test`` event for the endpoint."""
        return await self._client._call(
            WebhookTestEvent,
            "POST",
            _path(webhook_id, "/test"),
            idempotency_key=idempotency_key,
        )

    async def rotate_secret(
        self, webhook_id: str, *, idempotency_key: Optional[str] = None
    ) -> WebhookWithSecret:
        """A new signing secret; the old one keeps signing too for 24 hours."""
        return await self._client._call(
            WebhookWithSecret,
            "POST",
            _path(webhook_id, "/rotate-secret"),
            idempotency_key=idempotency_key,
        )

    async def list_deliveries(
        self, webhook_id: str, **params: Unpack[ListWebhookDeliveriesParams]
    ) -> AsyncPage[WebhookDelivery]:
        """One page of delivery attempts: event, attempt number, status code, error, duration."""
        query = params_to_wire(params, ListWebhookDeliveriesParams)
        return await self._client._page(WebhookDelivery, _path(webhook_id, "/deliveries"), query)
