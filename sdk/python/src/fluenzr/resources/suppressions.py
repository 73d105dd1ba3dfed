from __future__ import annotations

from typing import TYPE_CHECKING, AsyncIterator, Iterator, Optional, Sequence

from .._base import path_id
from .._convert import params_to_wire
from .._generated.models import Deleted, Suppression, SuppressionsAdded
from .._generated.params import (
    AddSuppressionsParams,
    DeleteSuppressionParams,
    ListSuppressionsParams,
    SuppressionParams,
)
from .._pagination import AsyncPage, Page
from ._base import WALK_PAGE_SIZE, AsyncResource, SyncResource

if TYPE_CHECKING:
    from .._compat import Unpack


def _path(suppression_id: str) -> str:
    return f"/v1/suppressions/{path_id(suppression_id, 'suppression_id')}"


class Suppressions(SyncResource):
    """``/v1/suppressions``: addresses and domains the workspace never emails."""

    def list(self, **params: Unpack[ListSuppressionsParams]) -> Page[Suppression]:
        query = params_to_wire(params, ListSuppressionsParams)
        return self._client._page(Suppression, "/v1/suppressions", query)

    def list_all(self, **params: Unpack[ListSuppressionsParams]) -> Iterator[Suppression]:
        params.setdefault("per_page", WALK_PAGE_SIZE)
        yield from self.list(**params).auto_paging_iter()

    def add(
        self, *, idempotency_key: Optional[str] = None, **params: Unpack[AddSuppressionsParams]
    ) -> SuppressionsAdded:
        """Suppresses one address or domain (``kind``, ``value``, ``source`` default
        ``manual``); one already suppressed is kept as it is."""
        body = params_to_wire(params, AddSuppressionsParams)
        return self._client._call(
            SuppressionsAdded,
            "POST",
            "/v1/suppressions",
            body=body,
            idempotency_key=idempotency_key,
        )

    def add_many(
        self, items: Sequence[SuppressionParams], *, idempotency_key: Optional[str] = None
    ) -> SuppressionsAdded:
        """Up to 10 000 in one transaction: one invalid item refuses them all."""
        body = params_to_wire({"items": items}, AddSuppressionsParams)
        return self._client._call(
            SuppressionsAdded,
            "POST",
            "/v1/suppressions",
            body=body,
            idempotency_key=idempotency_key,
        )

    def delete(
        self, suppression_id: str, *, reason: str, idempotency_key: Optional[str] = None
    ) -> Deleted:
        """Deletes a suppression, saying why (a ``suppression.deleted`` event)."""
        query = params_to_wire({"reason": reason}, DeleteSuppressionParams)
        return self._client._call(
            Deleted, "DELETE", _path(suppression_id), query=query, idempotency_key=idempotency_key
        )


class AsyncSuppressions(AsyncResource):
    """``/v1/suppressions``: addresses and domains the workspace never emails."""

    async def list(self, **params: Unpack[ListSuppressionsParams]) -> AsyncPage[Suppression]:
        query = params_to_wire(params, ListSuppressionsParams)
        return await self._client._page(Suppression, "/v1/suppressions", query)

    async def list_all(
        self, **params: Unpack[ListSuppressionsParams]
    ) -> AsyncIterator[Suppression]:
        params.setdefault("per_page", WALK_PAGE_SIZE)
        async for suppression in (await self.list(**params)).auto_paging_iter():
            yield suppression

    async def add(
        self, *, idempotency_key: Optional[str] = None, **params: Unpack[AddSuppressionsParams]
    ) -> SuppressionsAdded:
        """Suppresses one address or domain (``kind``, ``value``, ``source`` default
        ``manual``); one already suppressed is kept as it is."""
        body = params_to_wire(params, AddSuppressionsParams)
        return await self._client._call(
            SuppressionsAdded,
            "POST",
            "/v1/suppressions",
            body=body,
            idempotency_key=idempotency_key,
        )

    async def add_many(
        self, items: Sequence[SuppressionParams], *, idempotency_key: Optional[str] = None
    ) -> SuppressionsAdded:
        """Up to 10 000 in one transaction: one invalid item refuses them all."""
        body = params_to_wire({"items": items}, AddSuppressionsParams)
        return await self._client._call(
            SuppressionsAdded,
            "POST",
            "/v1/suppressions",
            body=body,
            idempotency_key=idempotency_key,
        )

    async def delete(
        self, suppression_id: str, *, reason: str, idempotency_key: Optional[str] = None
    ) -> Deleted:
        """Deletes a suppression, saying why (a ``suppression.deleted`` event)."""
        query = params_to_wire({"reason": reason}, DeleteSuppressionParams)
        return await self._client._call(
            Deleted, "DELETE", _path(suppression_id), query=query, idempotency_key=idempotency_key
        )
