"""The clients: ``FluenzrClient`` (blocking) and ``AsyncFluenzrClient`` (asyncio)."""

from __future__ import annotations

import asyncio
import copy
import time
from types import TracebackType
from typing import Any, Dict, Mapping, Optional, Type, TypeVar

import httpx

from ._base import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    BaseClient,
    Envelope,
    RawBody,
    Timeout,
    log,
    operation_type,
    query_string,
)
from ._convert import build
from ._errors import APIConnectionError
from ._generated.models import ListMeta
from ._pagination import AsyncPage, Page
from .resources import (
    AsyncCampaigns,
    AsyncContacts,
    AsyncDomains,
    AsyncEmailAccounts,
    AsyncGroups,
    AsyncImports,
    AsyncInbox,
    AsyncMessages,
    AsyncSuppressions,
    AsyncWebhooks,
    Campaigns,
    Contacts,
    Domains,
    EmailAccounts,
    Groups,
    Imports,
    Inbox,
    Messages,
    Suppressions,
    Webhooks,
)

T = TypeVar("T")


class _NotGiven:
    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Any = _NotGiven()


class AsyncFluenzrClient(BaseClient):
    """A FluenzR API client. The asyncio client awaits every call; the blocking one, generated
    from it, has the same resources and methods.

    ``api_key`` defaults to ``FLUENZR_API_KEY``; ``base_url`` to ``FLUENZR_BASE_URL``, then
    ``http://127.0.0.1:8080``. Failed requests (429, 5xx, broken connections) are retried
    ``max_retries`` times; every write carries an ``Idempotency-Key`` so a retry never acts twice.
    """

    contacts: AsyncContacts
    imports: AsyncImports
    groups: AsyncGroups
    email_accounts: AsyncEmailAccounts
    campaigns: AsyncCampaigns
    webhooks: AsyncWebhooks
    suppressions: AsyncSuppressions
    inbox: AsyncInbox
    domains: AsyncDomains
    messages: AsyncMessages

    def __init__(
        self,
        api_key: Optional[str] = None,
        *,
        base_url: Optional[str] = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Optional[Mapping[str, str]] = None,
        http_client: Optional[httpx.AsyncClient] = None,
    ) -> None:
        super().__init__(api_key, base_url, timeout, max_retries, default_headers)
        self._http = http_client if http_client is not None else httpx.AsyncClient()
        self._owns_http = http_client is None
        self._init_resources()

    def _init_resources(self) -> None:
        self.contacts = AsyncContacts(self)
        self.imports = AsyncImports(self)
        self.groups = AsyncGroups(self)
        self.email_accounts = AsyncEmailAccounts(self)
        self.campaigns = AsyncCampaigns(self)
        self.webhooks = AsyncWebhooks(self)
        self.suppressions = AsyncSuppressions(self)
        self.inbox = AsyncInbox(self)
        self.domains = AsyncDomains(self)
        self.messages = AsyncMessages(self)

    def with_options(
        self, *, timeout: Timeout = NOT_GIVEN, max_retries: Optional[int] = None
    ) -> "AsyncFluenzrClient":
        """A copy with another timeout or retry count, sharing this client's connections."""
        clone = copy.copy(self)
        if timeout is not NOT_GIVEN:
            clone.timeout = timeout
        if max_retries is not None:
            clone.max_retries = max_retries
        clone._owns_http = False
        clone._init_resources()
        return clone

    async def close(self) -> None:
        """Closes the connections (when the client created them)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> "AsyncFluenzrClient":
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.close()

    async def graphql(
        self,
        query: str,
        variables: Optional[Mapping[str, Any]] = None,
        *,
        operation_name: Optional[str] = None,
        idempotency_key: Optional[str] = None,
    ) -> Dict[str, Any]:
        """Runs a GraphQL query or mutation and returns its ``data``; raises on ``errors``.

        Only a mutation carries an ``Idempotency-Key`` (unless one is given): a query changes
        nothing, and the server would otherwise keep its answer for a day."""
        body: Dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = dict(variables)
        if operation_name is not None:
            body["operationName"] = operation_name
        read = operation_type(query, operation_name) == "query"
        response = await self._send(
            "POST", "/graphql", body=body, idempotency_key=idempotency_key, read=read
        )
        return self._graphql_data(response)

    # --- transport -------------------------------------------------------------------------

    async def _sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    async def _send(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Mapping[str, Any]] = None,
        body: Any = None,
        raw: Optional[RawBody] = None,
        idempotency_key: Optional[str] = None,
        read: bool = False,
    ) -> httpx.Response:
        key = self._idempotency_key(method, idempotency_key, read)
        content, content_type = self._encode(body, raw)
        headers = self._headers(key, content_type)
        url = self.base_url + path
        params = query_string(query or {})
        attempt = 0
        while True:
            try:
                response = await self._http.request(
                    method,
                    url,
                    params=params,
                    content=content,
                    headers=headers,
                    timeout=self.timeout,
                )
            except httpx.TransportError as err:
                failure = self._transport_error(err)
                if failure is None:
                    raise APIConnectionError(f"Request failed: {err}") from err
                delay = self._retry_delay(attempt, None)
                if delay is None:
                    raise failure from err
                log.info("%s %s failed (%s); retrying in %.2fs", method, path, failure, delay)
            else:
                delay = self._retry_delay(attempt, response)
                if delay is None:
                    return response
                log.info(
                    "%s %s answered %s; retrying in %.2fs",
                    method,
                    path,
                    response.status_code,
                    delay,
                )
                await response.aclose()
            await self._sleep(delay)
            attempt += 1

    async def _request(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Mapping[str, Any]] = None,
        body: Any = None,
        raw: Optional[RawBody] = None,
        idempotency_key: Optional[str] = None,
    ) -> Envelope:
        response = await self._send(
            method, path, query=query, body=body, raw=raw, idempotency_key=idempotency_key
        )
        return self._envelope(response)

    async def _call(
        self,
        cls: Type[T],
        method: str,
        path: str,
        *,
        query: Optional[Mapping[str, Any]] = None,
        body: Any = None,
        raw: Optional[RawBody] = None,
        idempotency_key: Optional[str] = None,
    ) -> T:
        data, _ = await self._request(
            method, path, query=query, body=body, raw=raw, idempotency_key=idempotency_key
        )
        return build(cls, data)

    async def _page(self, cls: Type[T], path: str, query: Mapping[str, Any]) -> AsyncPage[T]:
        data, meta = await self._request("GET", path, query=query)
        items = [build(cls, item) for item in data]

        async def fetch(cursor: str) -> AsyncPage[T]:
            following = {name: value for name, value in query.items() if name != "page"}
            return await self._page(cls, path, {**following, "cursor": cursor})

        return AsyncPage(items, build(ListMeta, meta), fetch)


# ---- Below: generated by codegen/unasync.py from the Async classes above. Do not edit. ----


class FluenzrClient(BaseClient):
    """A FluenzR API client. The asyncio client awaits every call; the blocking one, generated
    from it, has the same resources and methods.

    ``api_key`` defaults to ``FLUENZR_API_KEY``; ``base_url`` to ``FLUENZR_BASE_URL``, then
    ``http://127.0.0.1:8080``. Failed requests (429, 5xx, broken connections) are retried
    ``max_retries`` times; every write carries an ``Idempotency-Key`` so a retry never acts twice.
    """

    contacts: Contacts
    imports: Imports
    groups: Groups
    email_accounts: EmailAccounts
    campaigns: Campaigns
    webhooks: Webhooks
    suppressions: Suppressions
    inbox: Inbox
    domains: Domains
    messages: Messages

    def __init__(
        self,
        api_key: Optional[str] = None,
        *,
        base_url: Optional[str] = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Optional[Mapping[str, str]] = None,
        http_client: Optional[httpx.Client] = None,
    ) -> None:
        super().__init__(api_key, base_url, timeout, max_retries, default_headers)
        self._http = http_client if http_client is not None else httpx.Client()
        self._owns_http = http_client is None
        self._init_resources()

    def _init_resources(self) -> None:
        self.contacts = Contacts(self)
        self.imports = Imports(self)
        self.groups = Groups(self)
        self.email_accounts = EmailAccounts(self)
        self.campaigns = Campaigns(self)
        self.webhooks = Webhooks(self)
        self.suppressions = Suppressions(self)
        self.inbox = Inbox(self)
        self.domains = Domains(self)
        self.messages = Messages(self)

    def with_options(
        self, *, timeout: Timeout = NOT_GIVEN, max_retries: Optional[int] = None
    ) -> "FluenzrClient":
        """A copy with another timeout or retry count, sharing this client's connections."""
        clone = copy.copy(self)
        if timeout is not NOT_GIVEN:
            clone.timeout = timeout
        if max_retries is not None:
            clone.max_retries = max_retries
        clone._owns_http = False
        clone._init_resources()
        return clone

    def close(self) -> None:
        """Closes the connections (when the client created them)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> "FluenzrClient":
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def graphql(
        self,
        query: str,
        variables: Optional[Mapping[str, Any]] = None,
        *,
        operation_name: Optional[str] = None,
        idempotency_key: Optional[str] = None,
    ) -> Dict[str, Any]:
        """Runs a GraphQL query or mutation and returns its ``data``; raises on ``errors``.

        Only a mutation carries an ``Idempotency-Key`` (unless one is given): a query changes
        nothing, and the server would otherwise keep its answer for a day."""
        body: Dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = dict(variables)
        if operation_name is not None:
            body["operationName"] = operation_name
        read = operation_type(query, operation_name) == "query"
        response = self._send(
            "POST", "/graphql", body=body, idempotency_key=idempotency_key, read=read
        )
        return self._graphql_data(response)

    # --- transport -------------------------------------------------------------------------

    def _sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def _send(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Mapping[str, Any]] = None,
        body: Any = None,
        raw: Optional[RawBody] = None,
        idempotency_key: Optional[str] = None,
        read: bool = False,
    ) -> httpx.Response:
        key = self._idempotency_key(method, idempotency_key, read)
        content, content_type = self._encode(body, raw)
        headers = self._headers(key, content_type)
        url = self.base_url + path
        params = query_string(query or {})
        attempt = 0
        while True:
            try:
                response = self._http.request(
                    method,
                    url,
                    params=params,
                    content=content,
                    headers=headers,
                    timeout=self.timeout,
                )
            except httpx.TransportError as err:
                failure = self._transport_error(err)
                if failure is None:
                    raise APIConnectionError(f"Request failed: {err}") from err
                delay = self._retry_delay(attempt, None)
                if delay is None:
                    raise failure from err
                log.info("%s %s failed (%s); retrying in %.2fs", method, path, failure, delay)
            else:
                delay = self._retry_delay(attempt, response)
                if delay is None:
                    return response
                log.info(
                    "%s %s answered %s; retrying in %.2fs",
                    method,
                    path,
                    response.status_code,
                    delay,
                )
                response.close()
            self._sleep(delay)
            attempt += 1

    def _request(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Mapping[str, Any]] = None,
        body: Any = None,
        raw: Optional[RawBody] = None,
        idempotency_key: Optional[str] = None,
    ) -> Envelope:
        response = self._send(
            method, path, query=query, body=body, raw=raw, idempotency_key=idempotency_key
        )
        return self._envelope(response)

    def _call(
        self,
        cls: Type[T],
        method: str,
        path: str,
        *,
        query: Optional[Mapping[str, Any]] = None,
        body: Any = None,
        raw: Optional[RawBody] = None,
        idempotency_key: Optional[str] = None,
    ) -> T:
        data, _ = self._request(
            method, path, query=query, body=body, raw=raw, idempotency_key=idempotency_key
        )
        return build(cls, data)

    def _page(self, cls: Type[T], path: str, query: Mapping[str, Any]) -> Page[T]:
        data, meta = self._request("GET", path, query=query)
        items = [build(cls, item) for item in data]

        def fetch(cursor: str) -> Page[T]:
            following = {name: value for name, value in query.items() if name != "page"}
            return self._page(cls, path, {**following, "cursor": cursor})

        return Page(items, build(ListMeta, meta), fetch)
