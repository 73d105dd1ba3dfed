from __future__ import annotations

from typing import TYPE_CHECKING, AsyncIterator, Iterator, Mapping, Optional, Sequence

from .._base import path_id
from .._convert import params_to_wire
from .._generated.models import Contact, ContactBatchResult, ContactExport, Deleted, Import
from .._generated.params import (
    BatchContactParams,
    CreateContactParams,
    CreateContactsParams,
    ListContactsParams,
    UpdateContactParams,
)
from .._pagination import AsyncPage, Page
from ._base import WALK_PAGE_SIZE, AsyncResource, SyncResource
from .imports import CsvSource, ImportDuplicates, csv_body, import_query

if TYPE_CHECKING:
    from .._compat import Unpack


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

    async def delete(
        self,
        contact_id: str,
        *,
        erase: Optional[bool] = None,
        idempotency_key: Optional[str] = None,
    ) -> Deleted:
        """Deletes a contact. ``erase=True`` erases its personal data everywhere (emails,
        replies, events that name it), keeps the campaigns' figures, and keeps its address
        suppressed as a digest only: it is never emailed again."""
        path = f"/v1/contacts/{path_id(contact_id, 'contact_id')}"
        query = None if erase is None else {"erase": "true" if erase else "false"}
        return await self._client._call(
            Deleted, "DELETE", path, query=query, idempotency_key=idempotency_key
        )

    async def export(self, contact_id: str) -> ContactExport:
        """Everything held about a contact: its fields, enrolments, every email with the subject
        and body sent, every event of its emails and the suppressions covering its address.
        Recorded on the server as a ``contact.exported`` event."""
        path = f"/v1/contacts/{path_id(contact_id, 'contact_id')}/export"
        return await self._client._call(ContactExport, "GET", path)

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

    async def import_csv(
        self,
        csv: CsvSource,
        *,
        group_id: Optional[str] = None,
        duplicates: Optional[ImportDuplicates] = None,
        mapping: Optional[Mapping[str, str]] = None,
        idempotency_key: Optional[str] = None,
    ) -> Import:
        """Starts importing a CSV file (``POST /v1/contacts/import``) and returns the import,
        queued: the server works through it in the background. Follow it with
        ``await client.imports.wait(imp.id)`` (or ``client.imports.get``).

        ``import`` is a Python keyword, hence the name. ``csv`` is the file's text (``str``), its
        bytes (UTF-8 or Latin-1), a path (``pathlib.Path``; a ``str`` is always the text) or an
        open file; ``,``, ``;`` or tab delimited, with a header row, at most 100 000 rows and
        20 MB. It is read once (a file, blocking) and sent as it is (``Content-Type: text/csv``).

        ``mapping`` maps a CSV header to ``email``, ``firstName``, ``lastName``, ``company``,
        ``phone``, ``customFields.<key>`` or ``ignore`` (other headers map by name);
        ``group_id`` puts every imported (or updated) contact in that group; ``duplicates``
        ``"update"`` updates the contacts whose email exists (default ``"skip"``). A file the
        server refuses as a whole (no email column, an unknown mapping target) raises
        ``ValidationError``; refused rows are reported in the import's ``errors``.
        """
        return await self._client._call(
            Import,
            "POST",
            "/v1/contacts/import",
            query=import_query(group_id, duplicates, mapping),
            raw=csv_body(csv),
            idempotency_key=idempotency_key,
        )


# ---- Below: generated by codegen/unasync.py from the Async classes above. Do not edit. ----


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
        for contact in (self.list(**params)).auto_paging_iter():
            yield contact

    def get(self, contact_id: str) -> Contact:
        path = f"/v1/contacts/{path_id(contact_id, 'contact_id')}"
        return self._client._call(Contact, "GET", path)

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
        return self._client._call(
            Contact, "PUT", path, body=body, idempotency_key=idempotency_key
        )

    def delete(
        self,
        contact_id: str,
        *,
        erase: Optional[bool] = None,
        idempotency_key: Optional[str] = None,
    ) -> Deleted:
        """Deletes a contact. ``erase=True`` erases its personal data everywhere (emails,
        replies, events that name it), keeps the campaigns' figures, and keeps its address
        suppressed as a digest only: it is never emailed again."""
        path = f"/v1/contacts/{path_id(contact_id, 'contact_id')}"
        query = None if erase is None else {"erase": "true" if erase else "false"}
        return self._client._call(
            Deleted, "DELETE", path, query=query, idempotency_key=idempotency_key
        )

    def export(self, contact_id: str) -> ContactExport:
        """Everything held about a contact: its fields, enrolments, every email with the subject
        and body sent, every event of its emails and the suppressions covering its address.
        Recorded on the server as a ``contact.exported`` event."""
        path = f"/v1/contacts/{path_id(contact_id, 'contact_id')}/export"
        return self._client._call(ContactExport, "GET", path)

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

    def import_csv(
        self,
        csv: CsvSource,
        *,
        group_id: Optional[str] = None,
        duplicates: Optional[ImportDuplicates] = None,
        mapping: Optional[Mapping[str, str]] = None,
        idempotency_key: Optional[str] = None,
    ) -> Import:
        """Starts importing a CSV file (``POST /v1/contacts/import``) and returns the import,
        queued: the server works through it in the background. Follow it with
        ``client.imports.wait(imp.id)`` (or ``client.imports.get``).

        ``import`` is a Python keyword, hence the name. ``csv`` is the file's text (``str``), its
        bytes (UTF-8 or Latin-1), a path (``pathlib.Path``; a ``str`` is always the text) or an
        open file; ``,``, ``;`` or tab delimited, with a header row, at most 100 000 rows and
        20 MB. It is read once (a file, blocking) and sent as it is (``Content-Type: text/csv``).

        ``mapping`` maps a CSV header to ``email``, ``firstName``, ``lastName``, ``company``,
        ``phone``, ``customFields.<key>`` or ``ignore`` (other headers map by name);
        ``group_id`` puts every imported (or updated) contact in that group; ``duplicates``
        ``"update"`` updates the contacts whose email exists (default ``"skip"``). A file the
        server refuses as a whole (no email column, an unknown mapping target) raises
        ``ValidationError``; refused rows are reported in the import's ``errors``.
        """
        return self._client._call(
            Import,
            "POST",
            "/v1/contacts/import",
            query=import_query(group_id, duplicates, mapping),
            raw=csv_body(csv),
            idempotency_key=idempotency_key,
        )
