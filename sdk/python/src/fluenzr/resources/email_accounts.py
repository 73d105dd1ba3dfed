from __future__ import annotations

from typing import TYPE_CHECKING, AsyncIterator, Iterator, Optional

from .._base import path_id
from .._convert import params_to_wire
from .._generated.models import Deleted, EmailAccount, EmailAccountTest, UnmatchedReport
from .._generated.params import (
    CreateEmailAccountParams,
    ListEmailAccountsParams,
    ListUnmatchedReportsParams,
    UpdateEmailAccountParams,
)
from .._pagination import AsyncPage, Page
from ._base import WALK_PAGE_SIZE, AsyncResource, SyncResource

if TYPE_CHECKING:
    from .._compat import Unpack


def _path(account_id: str, rest: str = "") -> str:
    return f"/v1/email-accounts/{path_id(account_id, 'email_account_id')}{rest}"


class EmailAccounts(SyncResource):
    """``/v1/email-accounts``: the SMTP (and IMAP) mailboxes campaigns send from.
    Passwords are write-only: they are never returned."""

    def list(self, **params: Unpack[ListEmailAccountsParams]) -> Page[EmailAccount]:
        query = params_to_wire(params, ListEmailAccountsParams)
        return self._client._page(EmailAccount, "/v1/email-accounts", query)

    def list_all(self, **params: Unpack[ListEmailAccountsParams]) -> Iterator[EmailAccount]:
        params.setdefault("per_page", WALK_PAGE_SIZE)
        yield from self.list(**params).auto_paging_iter()

    def get(self, email_account_id: str) -> EmailAccount:
        return self._client._call(EmailAccount, "GET", _path(email_account_id))

    def create(
        self, *, idempotency_key: Optional[str] = None, **params: Unpack[CreateEmailAccountParams]
    ) -> EmailAccount:
        """Connects a mailbox; ``email``, ``smtp_host`` and ``smtp_password`` are required."""
        body = params_to_wire(params, CreateEmailAccountParams)
        return self._client._call(
            EmailAccount,
            "POST",
            "/v1/email-accounts",
            body=body,
            idempotency_key=idempotency_key,
        )

    def update(
        self,
        email_account_id: str,
        *,
        idempotency_key: Optional[str] = None,
        **params: Unpack[UpdateEmailAccountParams],
    ) -> EmailAccount:
        body = params_to_wire(params, UpdateEmailAccountParams)
        return self._client._call(
            EmailAccount,
            "PUT",
            _path(email_account_id),
            body=body,
            idempotency_key=idempotency_key,
        )

    def delete(self, email_account_id: str, *, idempotency_key: Optional[str] = None) -> Deleted:
        """Deletes the account; refused (409) while a draft, running or paused campaign uses it."""
        return self._client._call(
            Deleted, "DELETE", _path(email_account_id), idempotency_key=idempotency_key
        )

    def test(self, email_account_id: str) -> EmailAccountTest:
        """Logs in to the SMTP (and IMAP) server as a send would, step by step; sends nothing."""
        return self._client._call(EmailAccountTest, "POST", _path(email_account_id, "/test"))

    def list_unmatched_reports(
        self, email_account_id: str, **params: Unpack[ListUnmatchedReportsParams]
    ) -> Page[UnmatchedReport]:
        """Bounce reports read from the mailbox that quote no email this account sent: kept,
        with no effect."""
        query = params_to_wire(params, ListUnmatchedReportsParams)
        return self._client._page(
            UnmatchedReport, _path(email_account_id, "/unmatched-reports"), query
        )


class AsyncEmailAccounts(AsyncResource):
    """``/v1/email-accounts``: the SMTP (and IMAP) mailboxes campaigns send from.
    Passwords are write-only: they are never returned."""

    async def list(self, **params: Unpack[ListEmailAccountsParams]) -> AsyncPage[EmailAccount]:
        query = params_to_wire(params, ListEmailAccountsParams)
        return await self._client._page(EmailAccount, "/v1/email-accounts", query)

    async def list_all(
        self, **params: Unpack[ListEmailAccountsParams]
    ) -> AsyncIterator[EmailAccount]:
        params.setdefault("per_page", WALK_PAGE_SIZE)
        async for account in (await self.list(**params)).auto_paging_iter():
            yield account

    async def get(self, email_account_id: str) -> EmailAccount:
        return await self._client._call(EmailAccount, "GET", _path(email_account_id))

    async def create(
        self, *, idempotency_key: Optional[str] = None, **params: Unpack[CreateEmailAccountParams]
    ) -> EmailAccount:
        """Connects a mailbox; ``email``, ``smtp_host`` and ``smtp_password`` are required."""
        body = params_to_wire(params, CreateEmailAccountParams)
        return await self._client._call(
            EmailAccount,
            "POST",
            "/v1/email-accounts",
            body=body,
            idempotency_key=idempotency_key,
        )

    async def update(
        self,
        email_account_id: str,
        *,
        idempotency_key: Optional[str] = None,
        **params: Unpack[UpdateEmailAccountParams],
    ) -> EmailAccount:
        body = params_to_wire(params, UpdateEmailAccountParams)
        return await self._client._call(
            EmailAccount,
            "PUT",
            _path(email_account_id),
            body=body,
            idempotency_key=idempotency_key,
        )

    async def delete(
        self, email_account_id: str, *, idempotency_key: Optional[str] = None
    ) -> Deleted:
        """Deletes the account; refused (409) while a draft, running or paused campaign uses it."""
        return await self._client._call(
            Deleted, "DELETE", _path(email_account_id), idempotency_key=idempotency_key
        )

    async def test(self, email_account_id: str) -> EmailAccountTest:
        """Logs in to the SMTP (and IMAP) server as a send would, step by step; sends nothing."""
        return await self._client._call(EmailAccountTest, "POST", _path(email_account_id, "/test"))

    async def list_unmatched_reports(
        self, email_account_id: str, **params: Unpack[ListUnmatchedReportsParams]
    ) -> AsyncPage[UnmatchedReport]:
        """Bounce reports read from the mailbox that quote no email this account sent: kept,
        with no effect."""
        query = params_to_wire(params, ListUnmatchedReportsParams)
        return await self._client._page(
            UnmatchedReport, _path(email_account_id, "/unmatched-reports"), query
        )
