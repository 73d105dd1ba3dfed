from __future__ import annotations

from typing import TYPE_CHECKING, AsyncIterator, Iterator, Optional, Sequence

from .._base import path_id
from .._convert import params_to_wire
from .._generated.models import Contact, ContactBatchResult, Deleted
from .._generated.params import (
    BatchContactParams,
    CreateContactParams,
    CreateContactsParams,
    ListContactsParams,
    UpdateContactParams,
)
from .._pagination import AsyncPage, Page
from ._base import WALK_PAGE_SIZE, AsyncResource, SyncResource

if TYPE_CHECKING:
    from .._compat import Unpack


class Contacts(SyncResource):
    """``/v1/contacts``: people to email, unique by email address in a workspace."""

    def list(self, **params: Unpack[ListContactsParams]) -> Page[Contact]:
        """One page of contacts; filters ``email`` (a substring), ``group``, ``status``,
        ``company``; ``sort``/``order``; ``page``/``per_page`` (at most 100)."""
        query = params_to_wire(params, ListContactsParams)
        return self._client._page(Contact, "/v1/contacts", query)

    def list_all(self, **params: Unpack[ListContactsParams]) -> Iterator[Contact]:
        """Every contact the filters match, fetched page after page."""
        params.setdefault("per_page", WALK_PAGE_SIZE)
        yield from self.list(**params).auto_paging_iter()

    def get(self, contact_id: str) -> Contact:
        return self._client._call(
            Contact, "GET", f"/v1/contacts/{path_id(contact_id, 'contact_id')}"
        )

    def create(
        self, *, idempotency_key: Optional[str] = None, **params: Unpack[CreateContactParams]
    ) -> Contact:
        """Creates a contact; ``email`` is required. A used email raises ``ConflictError``."""
        body = params_to_wire(params, CreateContactParams)
        return self._client._call(
            Contact, "POST", "/v1/contacts", body=body, idempotency_key=idempotency_key
        )

    def update(
        self,
        contact_id: str,
        *,
        idempotency_key: Optional[str] = None,
        **params: Unpack[UpdateContactParams],
    ) -> Contact:
        """Replaces the fields given; ``None`` clears an optional one."""
        body = params_to_wire(params, UpdateContactParams)
        path = f"/v1/contacts/{path_id(contact_id, 'contact_id')}"
        return self._client._call(Contact, "PUT", path, body=body, idempotency_key=idempotency_key)

    def delete(self, contact_id: str, *, idempotency_key: Optional[str] = None) -> Deleted:
        path = f"/v1/contacts/{path_id(contact_id, 'contact_id')}"
        return self._client._call(Deleted, "DELETE", path, idempotency_key=idempotency_key)

    def create_batch(
        self, contacts: Sequence[BatchContactParams], *, idempotency_key: Optional[str] = None
    ) -> ContactBatchResult:
        """Creates up to 1000 contacts; each succeeds or fails alone (see ``results``)."""
        body = params_to_wire({"contacts": contacts}, CreateContactsParams)
        return self._client._call(
            ContactBatchResult,
            "POST",
            "/v1/contacts/batch",
            body=body,
            idempotency_key=idempotency_key,
        )


class AsyncContacts(AsyncResource):
    """``/v1/contacts``: people to email, unique by email address in a workspace."""

    async def list(self, **params: Unpack[ListContactsParams]) -> AsyncPage[Contact]:
        """One page of contacts; filters ``email`` (a substring), ``group``, ``status``,
        ``company``; ``sort``/``order``; ``page``/``per_page`` (at most 100)."""
        query = params_to_wire(params, ListContactsParams)
        return await self._client._page(Contact, "/v1/contacts", query)

    async def list_all(self, **params: Unpack[ListContactsParams]) -> AsyncIterator[Contact]:
        """Every contact the filters match, fetched page after page."""
        params.setdefault("per_page", WALK_PAGE_SIZE)
        async for contact in (await self.list(**params)).auto_paging_iter():
            yield contact

    async def get(self, contact_id: str) -> Contact:
        path = f"/v1/contacts/{path_id(contact_id, 'contact_id')}"
        return await self._client._call(Contact, "GET", path)

    async def create(
        self, *, idempotency_key: Optional[str] = None, **params: Unpack[CreateContactParams]
    ) -> Contact:
        """Creates a contact; ``email`` is required. A used email raises ``ConflictError``."""
        body = params_to_wire(params, CreateContactParams)
        return await self._client._call(
            Contact, "POST", "/v1/contacts", body=body, idempotency_key=idempotency_key
        )

    async def update(
        self,
        contact_id: str,
        *,
        idempotency_key: Optional[str] = None,
        **params: Unpack[UpdateContactParams],
    ) -> Contact:
        """Replaces the fields given; ``None`` clears an optional one."""
        body = params_to_wire(params, UpdateContactParams)
        path = f"/v1/contacts/{path_id(contact_id, 'contact_id')}"
        return await self._client._call(
            Contact, "PUT", path, body=body, idempotency_key=idempotency_key
        )

    async def delete(self, contact_id: str, *, idempotency_key: Optional[str] = None) -> Deleted:
        path = f"/v1/contacts/{path_id(contact_id, 'contact_id')}"
        return await self._client._call(Deleted, "DELETE", path, idempotency_key=idempotency_key)

    async def create_batch(
        self, contacts: Sequence[BatchContactParams], *, idempotency_key: Optional[str] = None
    ) -> ContactBatchResult:
        """Creates up to 1000 contacts; each succeeds or fails alone (see ``results``)."""
        body = params_to_wire({"contacts": contacts}, CreateContactsParams)
        return await self._client._call(
            ContactBatchResult,
            "POST",
            "/v1/contacts/batch",
            body=body,
            idempotency_key=idempotency_key,
        )
