from __future__ import annotations

from typing import TYPE_CHECKING, AsyncIterator, Iterator, Optional

from .._base import path_id
from .._convert import params_to_wire
from .._generated.models import (
    Campaign,
    CampaignContactsAdded,
    CampaignStats,
    CampaignStarted,
    CampaignWithWarnings,
    ContactPlan,
    Deleted,
    EmailPreview,
    Enrollment,
    ResolvedOutcomes,
    SendingStatus,
    TestEmailResult,
    UnknownOutcome,
)
from .._generated.params import (
    AddCampaignContactsParams,
    CreateCampaignParams,
    GetCampaignStatsParams,
    ListCampaignContactsParams,
    ListCampaignsParams,
    ListUnknownOutcomesParams,
    PreviewCampaignEmailParams,
    ResolveUnknownOutcomesParams,
    SendCampaignTestEmailParams,
    UpdateCampaignParams,
)
from .._pagination import AsyncPage, Page
from ._base import WALK_PAGE_SIZE, AsyncResource, SyncResource

if TYPE_CHECKING:
    from .._compat import Unpack


def _path(campaign_id: str, rest: str = "") -> str:
    return f"/v1/campaigns/{path_id(campaign_id, 'campaign_id')}{rest}"


class AsyncCampaigns(AsyncResource):
    """``/v1/campaigns``: sequences of emails sent to contacts on a schedule."""

    async def list(self, **params: Unpack[ListCampaignsParams]) -> AsyncPage[Campaign]:
        """One page of campaigns; filter ``status``; ``sort``/``order``."""
        query = params_to_wire(params, ListCampaignsParams)
        return await self._client._page(Campaign, "/v1/campaigns", query)

    async def list_all(self, **params: Unpack[ListCampaignsParams]) -> AsyncIterator[Campaign]:
        """Every campaign, fetched page after page."""
        params.setdefault("per_page", WALK_PAGE_SIZE)
        async for campaign in (await self.list(**params)).auto_paging_iter():
            yield campaign

    async def get(self, campaign_id: str) -> Campaign:
        return await self._client._call(Campaign, "GET", _path(campaign_id))

    async def create(
        self, *, idempotency_key: Optional[str] = None, **params: Unpack[CreateCampaignParams]
    ) -> CampaignWithWarnings:
        """Creates a draft; ``name`` is required, ``steps`` and ``schedule`` are usually given.
        ``warnings`` names variables no contact field has (``firstname`` → ``firstName``)."""
        body = params_to_wire(params, CreateCampaignParams)
        return await self._client._call(
            CampaignWithWarnings,
            "POST",
            "/v1/campaigns",
            body=body,
            idempotency_key=idempotency_key,
        )

    async def update(
        self,
        campaign_id: str,
        *,
        idempotency_key: Optional[str] = None,
        **params: Unpack[UpdateCampaignParams],
    ) -> CampaignWithWarnings:
        """Replaces the fields given; steps and accounts change only while draft or paused.
        A variant sent back with its ``id`` keeps it (and its figures)."""
        body = params_to_wire(params, UpdateCampaignParams)
        return await self._client._call(
            CampaignWithWarnings,
            "PUT",
            _path(campaign_id),
            body=body,
            idempotency_key=idempotency_key,
        )

    async def delete(self, campaign_id: str, *, idempotency_key: Optional[str] = None) -> Deleted:
        return await self._client._call(
            Deleted, "DELETE", _path(campaign_id), idempotency_key=idempotency_key
        )

    async def start(
        self, campaign_id: str, *, idempotency_key: Optional[str] = None
    ) -> CampaignStarted:
        """Starts (or resumes) sending, with its deliverability ``warnings``; an illegal
        transition raises ``ConflictError``."""
        return await self._client._call(
            CampaignStarted, "POST", _path(campaign_id, "/start"), idempotency_key=idempotency_key
        )

    async def pause(self, campaign_id: str, *, idempotency_key: Optional[str] = None) -> Campaign:
        """Stops new sends at once; ``start`` resumes."""
        return await self._client._call(
            Campaign, "POST", _path(campaign_id, "/pause"), idempotency_key=idempotency_key
        )

    async def add_contacts(
        self,
        campaign_id: str,
        *,
        idempotency_key: Optional[str] = None,
        **params: Unpack[AddCampaignContactsParams],
    ) -> CampaignContactsAdded:
        """Enrols ``contact_ids`` and/or every member of ``group_id``."""
        body = params_to_wire(params, AddCampaignContactsParams)
        return await self._client._call(
            CampaignContactsAdded,
            "POST",
            _path(campaign_id, "/contacts"),
            body=body,
            idempotency_key=idempotency_key,
        )

    async def list_contacts(
        self, campaign_id: str, **params: Unpack[ListCampaignContactsParams]
    ) -> AsyncPage[Enrollment]:
        """One page of enrolments: each contact's ``state``, ``reason`` and next send."""
        query = params_to_wire(params, ListCampaignContactsParams)
        return await self._client._page(Enrollment, _path(campaign_id, "/contacts"), query)

    async def get_stats(
        self, campaign_id: str, **params: Unpack[GetCampaignStatsParams]
    ) -> CampaignStats:
        """Unique-contact counts and rates (percentages), per step and per day
        (``from_``/``to`` bound the timeline, ``YYYY-MM-DD``)."""
        query = params_to_wire(params, GetCampaignStatsParams)
        return await self._client._call(
            CampaignStats, "GET", _path(campaign_id, "/stats"), query=query
        )

    async def get_contact_plan(self, campaign_id: str, contact_id: str) -> ContactPlan:
        """When each remaining step of the contact's sequence is planned to go, and why there
        (window, skip dates, limits, delays, time zone changes, conditions)."""
        rest = f"/contacts/{path_id(contact_id, 'contact_id')}/plan"
        return await self._client._call(ContactPlan, "GET", _path(campaign_id, rest))

    async def preview(
        self, campaign_id: str, **params: Unpack[PreviewCampaignEmailParams]
    ) -> EmailPreview:
        """A step for a contact exactly as it would go out (``variant_id`` or ``seed`` fix
        the draws); nothing is sent or kept."""
        body = params_to_wire(params, PreviewCampaignEmailParams)
        return await self._client._call(
            EmailPreview, "POST", _path(campaign_id, "/preview"), body=body
        )

    async def send_test(
        self,
        campaign_id: str,
        *,
        idempotency_key: Optional[str] = None,
        **params: Unpack[SendCampaignTestEmailParams],
    ) -> TestEmailResult:
        """Sends a step, composed for ``contact_id``, to ``to`` instead; nothing is recorded."""
        body = params_to_wire(params, SendCampaignTestEmailParams)
        return await self._client._call(
            TestEmailResult,
            "POST",
            _path(campaign_id, "/test"),
            body=body,
            idempotency_key=idempotency_key,
        )

    async def get_sending_status(self, campaign_id: str) -> SendingStatus:
        """Why the campaign is or is not sending right now."""
        return await self._client._call(SendingStatus, "GET", _path(campaign_id, "/sending-status"))

    async def list_unknown_outcomes(
        self, campaign_id: str, **params: Unpack[ListUnknownOutcomesParams]
    ) -> AsyncPage[UnknownOutcome]:
        """One page of the campaign's emails whose delivery is unknown (the connection broke
        after the content was handed over)."""
        query = params_to_wire(params, ListUnknownOutcomesParams)
        return await self._client._page(
            UnknownOutcome, _path(campaign_id, "/unknown-outcomes"), query
        )

    async def resolve_unknown_outcomes(
        self, campaign_id: str, **params: Unpack[ResolveUnknownOutcomesParams]
    ) -> ResolvedOutcomes:
        """Decides about unknown outcomes (``message_ids``, or ``all=True``): ``action`` is
        ``resend`` (the same Message-ID), ``mark_sent`` or ``skip``."""
        body = params_to_wire(params, ResolveUnknownOutcomesParams)
        return await self._client._call(
            ResolvedOutcomes, "POST", _path(campaign_id, "/unknown-outcomes/resolve"), body=body
        )


# ---- Below: generated by codegen/unasync.py from the Async classes above. Do not edit. ----


class Campaigns(SyncResource):
    """``/v1/campaigns``: sequences of emails sent to contacts on a schedule."""

    def list(self, **params: Unpack[ListCampaignsParams]) -> Page[Campaign]:
        """One page of campaigns; filter ``status``; ``sort``/``order``."""
        query = params_to_wire(params, ListCampaignsParams)
        return self._client._page(Campaign, "/v1/campaigns", query)

    def list_all(self, **params: Unpack[ListCampaignsParams]) -> Iterator[Campaign]:
        """Every campaign, fetched page after page."""
        params.setdefault("per_page", WALK_PAGE_SIZE)
        for campaign in (self.list(**params)).auto_paging_iter():
            yield campaign

    def get(self, campaign_id: str) -> Campaign:
        return self._client._call(Campaign, "GET", _path(campaign_id))

    def create(
        self, *, idempotency_key: Optional[str] = None, **params: Unpack[CreateCampaignParams]
    ) -> CampaignWithWarnings:
        """Creates a draft; ``name`` is required, ``steps`` and ``schedule`` are usually given.
        ``warnings`` names variables no contact field has (``firstname`` → ``firstName``)."""
        body = params_to_wire(params, CreateCampaignParams)
        return self._client._call(
            CampaignWithWarnings,
            "POST",
            "/v1/campaigns",
            body=body,
            idempotency_key=idempotency_key,
        )

    def update(
        self,
        campaign_id: str,
        *,
        idempotency_key: Optional[str] = None,
        **params: Unpack[UpdateCampaignParams],
    ) -> CampaignWithWarnings:
        """Replaces the fields given; steps and accounts change only while draft or paused.
        A variant sent back with its ``id`` keeps it (and its figures)."""
        body = params_to_wire(params, UpdateCampaignParams)
        return self._client._call(
            CampaignWithWarnings,
            "PUT",
            _path(campaign_id),
            body=body,
            idempotency_key=idempotency_key,
        )

    def delete(self, campaign_id: str, *, idempotency_key: Optional[str] = None) -> Deleted:
        return self._client._call(
            Deleted, "DELETE", _path(campaign_id), idempotency_key=idempotency_key
        )

    def start(
        self, campaign_id: str, *, idempotency_key: Optional[str] = None
    ) -> CampaignStarted:
        """Starts (or resumes) sending, with its deliverability ``warnings``; an illegal
        transition raises ``ConflictError``."""
        return self._client._call(
            CampaignStarted, "POST", _path(campaign_id, "/start"), idempotency_key=idempotency_key
        )

    def pause(self, campaign_id: str, *, idempotency_key: Optional[str] = None) -> Campaign:
        """Stops new sends at once; ``start`` resumes."""
        return self._client._call(
            Campaign, "POST", _path(campaign_id, "/pause"), idempotency_key=idempotency_key
        )

    def add_contacts(
        self,
        campaign_id: str,
        *,
        idempotency_key: Optional[str] = None,
        **params: Unpack[AddCampaignContactsParams],
    ) -> CampaignContactsAdded:
        """Enrols ``contact_ids`` and/or every member of ``group_id``."""
        body = params_to_wire(params, AddCampaignContactsParams)
        return self._client._call(
            CampaignContactsAdded,
            "POST",
            _path(campaign_id, "/contacts"),
            body=body,
            idempotency_key=idempotency_key,
        )

    def list_contacts(
        self, campaign_id: str, **params: Unpack[ListCampaignContactsParams]
    ) -> Page[Enrollment]:
        """One page of enrolments: each contact's ``state``, ``reason`` and next send."""
        query = params_to_wire(params, ListCampaignContactsParams)
        return self._client._page(Enrollment, _path(campaign_id, "/contacts"), query)

    def get_stats(
        self, campaign_id: str, **params: Unpack[GetCampaignStatsParams]
    ) -> CampaignStats:
        """Unique-contact counts and rates (percentages), per step and per day
        (``from_``/``to`` bound the timeline, ``YYYY-MM-DD``)."""
        query = params_to_wire(params, GetCampaignStatsParams)
        return self._client._call(
            CampaignStats, "GET", _path(campaign_id, "/stats"), query=query
        )

    def get_contact_plan(self, campaign_id: str, contact_id: str) -> ContactPlan:
        """When each remaining step of the contact's sequence is planned to go, and why there
        (window, skip dates, limits, delays, time zone changes, conditions)."""
        rest = f"/contacts/{path_id(contact_id, 'contact_id')}/plan"
        return self._client._call(ContactPlan, "GET", _path(campaign_id, rest))

    def preview(
        self, campaign_id: str, **params: Unpack[PreviewCampaignEmailParams]
    ) -> EmailPreview:
        """A step for a contact exactly as it would go out (``variant_id`` or ``seed`` fix
        the draws); nothing is sent or kept."""
        body = params_to_wire(params, PreviewCampaignEmailParams)
        return self._client._call(
            EmailPreview, "POST", _path(campaign_id, "/preview"), body=body
        )

    def send_test(
        self,
        campaign_id: str,
        *,
        idempotency_key: Optional[str] = None,
        **params: Unpack[SendCampaignTestEmailParams],
    ) -> TestEmailResult:
        """Sends a step, composed for ``contact_id``, to ``to`` instead; nothing is recorded."""
        body = params_to_wire(params, SendCampaignTestEmailParams)
        return self._client._call(
            TestEmailResult,
            "POST",
            _path(campaign_id, "/test"),
            body=body,
            idempotency_key=idempotency_key,
        )

    def get_sending_status(self, campaign_id: str) -> SendingStatus:
        """Why the campaign is or is not sending right now."""
        return self._client._call(SendingStatus, "GET", _path(campaign_id, "/sending-status"))

    def list_unknown_outcomes(
        self, campaign_id: str, **params: Unpack[ListUnknownOutcomesParams]
    ) -> Page[UnknownOutcome]:
        """One page of the campaign's emails whose delivery is unknown (the connection broke
        after the content was handed over)."""
        query = params_to_wire(params, ListUnknownOutcomesParams)
        return self._client._page(
            UnknownOutcome, _path(campaign_id, "/unknown-outcomes"), query
        )

    def resolve_unknown_outcomes(
        self, campaign_id: str, **params: Unpack[ResolveUnknownOutcomesParams]
    ) -> ResolvedOutcomes:
        """Decides about unknown outcomes (``message_ids``, or ``all=True``): ``action`` is
        ``resend`` (the same Message-ID), ``mark_sent`` or ``skip``."""
        body = params_to_wire(params, ResolveUnknownOutcomesParams)
        return self._client._call(
            ResolvedOutcomes, "POST", _path(campaign_id, "/unknown-outcomes/resolve"), body=body
        )
