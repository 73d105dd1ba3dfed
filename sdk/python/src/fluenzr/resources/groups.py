from __future__ import annotations

from typing import TYPE_CHECKING, AsyncIterator, Iterator, Optional

from .._base import path_id
from .._convert import params_to_wire
from .._generated.models import (
    Contact,
    Deleted,
    Group,
    GroupContactsAdded,
    GroupContactsRemoved,
)
from .._generated.params import (
    AddGroupContactsParams,
    CreateGroupParams,
    ListGroupContactsParams,
    ListGroupsParams,
    RemoveGroupContactsParams,
    UpdateGroupParams,
)
from .._pagination import AsyncPage, Page
from ._base import WALK_PAGE_SIZE, AsyncResource, SyncResource

if TYPE_CHECKING:
    from .._compat import Unpack


def _path(group_id: str, rest: str = "") -> str:
    return f"/v1/groups/{path_id(group_id, 'group_id')}{rest}"


class Groups(SyncResource):
    """``/v1/groups``: named sets of contacts (a campaign can enrol a whole group)."""

    def list(self, **params: Unpack[ListGroupsParams]) -> Page[Group]:
        """One page of groups; filter ``name`` (a substring); ``sort``/``order``."""
        return self._client._page(Group, "/v1/groups", params_to_wire(params, ListGroupsParams))

    def list_all(self, **params: Unpack[ListGroupsParams]) -> Iterator[Group]:
        """Every group, fetched page after page."""
        params.setdefault("per_page", WALK_PAGE_SIZE)
        yield from self.list(**params).auto_paging_iter()

    def get(self, group_id: str) -> Group:
        return self._client._call(Group, "GET", _path(group_id))

    def create(
        self, *, idempotency_key: Optional[str] = None, **params: Unpack[CreateGroupParams]
    ) -> Group:
        body = params_to_wire(params, CreateGroupParams)
        return self._client._call(
            Group, "POST", "/v1/groups", body=body, idempotency_key=idempotency_key
        )

    def update(
        self,
        group_id: str,
        *,
        idempotency_key: Optional[str] = None,
        **params: Unpack[UpdateGroupParams],
    ) -> Group:
        body = params_to_wire(params, UpdateGroupParams)
        return self._client._call(
            Group, "PUT", _path(group_id), body=body, idempotency_key=idempotency_key
        )

    def delete(self, group_id: str, *, idempotency_key: Optional[str] = None) -> Deleted:
        """Deletes the group (its contacts stay)."""
        return self._client._call(
            Deleted, "DELETE", _path(group_id), idempotency_key=idempotency_key
        )

    def list_contacts(
        self, group_id: str, **params: Unpack[ListGroupContactsParams]
    ) -> Page[Contact]:
        """One page of the group's members."""
        query = params_to_wire(params, ListGroupContactsParams)
        return self._client._page(Contact, _path(group_id, "/contacts"), query)

    def add_contacts(
        self,
        group_id: str,
        *,
        idempotency_key: Optional[str] = None,
        **params: Unpack[AddGroupContactsParams],
    ) -> GroupContactsAdded:
        """Adds ``contact_ids`` (members already in are counted, not an error)."""
        body = params_to_wire(params, AddGroupContactsParams)
        return self._client._call(
            GroupContactsAdded,
            "POST",
            _path(group_id, "/contacts"),
            body=body,
            idempotency_key=idempotency_key,
        )

    def remove_contacts(
        self,
        group_id: str,
        *,
        idempotency_key: Optional[str] = None,
        **params: Unpack[RemoveGroupContactsParams],
    ) -> GroupContactsRemoved:
        """Takes ``contact_ids`` out of the group (the contacts stay)."""
        body = params_to_wire(params, RemoveGroupContactsParams)
        return self._client._call(
            GroupContactsRemoved,
            "DELETE",
            _path(group_id, "/contacts"),
            body=body,
            idempotency_key=idempotency_key,
        )


class AsyncGroups(AsyncResource):
    """``/v1/groups``: named sets of contacts (a campaign can enrol a whole group)."""

    async def list(self, **params: Unpack[ListGroupsParams]) -> AsyncPage[Group]:
        """One page of groups; filter ``name`` (a substring); ``sort``/``order``."""
        query = params_to_wire(params, ListGroupsParams)
        return await self._client._page(Group, "/v1/groups", query)

    async def list_all(self, **params: Unpack[ListGroupsParams]) -> AsyncIterator[Group]:
        """Every group, fetched page after page."""
        params.setdefault("per_page", WALK_PAGE_SIZE)
        async for group in (await self.list(**params)).auto_paging_iter():
            yield group

    async def get(self, group_id: str) -> Group:
        return await self._client._call(Group, "GET", _path(group_id))

    async def create(
        self, *, idempotency_key: Optional[str] = None, **params: Unpack[CreateGroupParams]
    ) -> Group:
        body = params_to_wire(params, CreateGroupParams)
        return await self._client._call(
            Group, "POST", "/v1/groups", body=body, idempotency_key=idempotency_key
        )

    async def update(
        self,
        group_id: str,
        *,
        idempotency_key: Optional[str] = None,
        **params: Unpack[UpdateGroupParams],
    ) -> Group:
        body = params_to_wire(params, UpdateGroupParams)
        return await self._client._call(
            Group, "PUT", _path(group_id), body=body, idempotency_key=idempotency_key
        )

    async def delete(self, group_id: str, *, idempotency_key: Optional[str] = None) -> Deleted:
        """Deletes the group (its contacts stay)."""
        return await self._client._call(
            Deleted, "DELETE", _path(group_id), idempotency_key=idempotency_key
        )

    async def list_contacts(
        self, group_id: str, **params: Unpack[ListGroupContactsParams]
    ) -> AsyncPage[Contact]:
        """One page of the group's members."""
        query = params_to_wire(params, ListGroupContactsParams)
        return await self._client._page(Contact, _path(group_id, "/contacts"), query)

    async def add_contacts(
        self,
        group_id: str,
        *,
        idempotency_key: Optional[str] = None,
        **params: Unpack[AddGroupContactsParams],
    ) -> GroupContactsAdded:
        """Adds ``contact_ids`` (members already in are counted, not an error)."""
        body = params_to_wire(params, AddGroupContactsParams)
        return await self._client._call(
            GroupContactsAdded,
            "POST",
            _path(group_id, "/contacts"),
            body=body,
            idempotency_key=idempotency_key,
        )

    async def remove_contacts(
        self,
        group_id: str,
        *,
        idempotency_key: Optional[str] = None,
        **params: Unpack[RemoveGroupContactsParams],
    ) -> GroupContactsRemoved:
        """Takes ``contact_ids`` out of the group (the contacts stay)."""
        body = params_to_wire(params, RemoveGroupContactsParams)
        return await self._client._call(
            GroupContactsRemoved,
            "DELETE",
            _path(group_id, "/contacts"),
            body=body,
            idempotency_key=idempotency_key,
        )
