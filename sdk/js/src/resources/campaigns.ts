import type { Page, RequestOptions } from "../core.js";
import type {
  Campaign,
  CampaignAddContactsParams,
  CampaignContactListParams,
  CampaignContactsAdded,
  CampaignCreateParams,
  CampaignListParams,
  CampaignSendingStatus,
  CampaignStats,
  CampaignStatsParams,
  CampaignUpdateParams,
  CampaignStarted,
  CampaignWithWarnings,
  ContactPlan,
  Deleted,
  EmailPreview,
  EmailPreviewParams,
  Enrolment,
  UnknownOutcome,
  UnknownOutcomeListParams,
  UnknownOutcomeResolveParams,
  UnknownOutcomesResolved,
  TestEmailParams,
  TestEmailResult,
} from "../types.js";
import { Resource, collect, segment } from "./base.js";

/** `/v1/campaigns`: sequences of emails sent to enrolled contacts on a schedule. */
export class Campaigns extends Resource {
  /** One page of campaigns (filter `status`; `sort`, `order`). */
  list(params?: CampaignListParams, options?: RequestOptions): Promise<Page<Campaign>> {
    return this.http.page("/v1/campaigns", params, options);
  }

  /** Every campaign matching `params`, fetched page by page as you iterate. */
  iterate(params?: CampaignListParams, options?: RequestOptions): AsyncGenerator<Campaign, void, undefined> {
    return this.http.paginate("/v1/campaigns", params, options);
  }

  /** Every campaign matching `params`, in one array. */
  listAll(params?: CampaignListParams, options?: RequestOptions): Promise<Campaign[]> {
    return collect(this.iterate(params, options));
  }

  async get(id: string, options?: RequestOptions): Promise<Campaign> {
    return (await this.http.rest<Campaign>("GET", `/v1/campaigns/${segment(id)}`, {}, options)).data;
  }

  /** Creates a draft. */
  async create(params: CampaignCreateParams, options?: RequestOptions): Promise<CampaignWithWarnings> {
    return (await this.http.rest<CampaignWithWarnings>("POST", "/v1/campaigns", { body: params }, options)).data;
  }

  /**
   * Steps and accounts change only while the campaign is a draft or paused; a variant sent
   * back with its `id` keeps it (and its figures).
   */
  async update(id: string, params: CampaignUpdateParams, options?: RequestOptions): Promise<CampaignWithWarnings> {
    return (await this.http.rest<CampaignWithWarnings>("PUT", `/v1/campaigns/${segment(id)}`, { body: params }, options)).data;
  }

  /** When each remaining step of a contact's sequence is planned to go, and why there. */
  async getContactPlan(id: string, contactId: string, options?: RequestOptions): Promise<ContactPlan> {
    const path = `/v1/campaigns/${segment(id)}/contacts/${segment(contactId)}/plan`;
    return (await this.http.rest<ContactPlan>("GET", path, {}, options)).data;
  }

  /** A step for a contact exactly as it would go out (`variantId` or `seed` fix the draws). */
  async preview(id: string, params: EmailPreviewParams, options?: RequestOptions): Promise<EmailPreview> {
    const path = `/v1/campaigns/${segment(id)}/preview`;
    return (await this.http.rest<EmailPreview>("POST", path, { body: params }, options)).data;
  }

  /** Sends a step, composed for `contactId`, to `to` instead; nothing is recorded. */
  async sendTest(id: string, params: TestEmailParams, options?: RequestOptions): Promise<TestEmailResult> {
    const path = `/v1/campaigns/${segment(id)}/test`;
    return (await this.http.rest<TestEmailResult>("POST", path, { body: params }, options)).data;
  }

  async delete(id: string, options?: RequestOptions): Promise<Deleted> {
    return (await this.http.rest<Deleted>("DELETE", `/v1/campaigns/${segment(id)}`, {}, options)).data;
  }

  /** Starts (or resumes) sending; an illegal transition is a `ConflictError`, a repeat a no-op. */
  async start(id: string, options?: RequestOptions): Promise<CampaignStarted> {
    return (await this.http.rest<CampaignStarted>("POST", `/v1/campaigns/${segment(id)}/start`, {}, options)).data;
  }

  /** Stops new sends at once. */
  async pause(id: string, options?: RequestOptions): Promise<Campaign> {
    return (await this.http.rest<Campaign>("POST", `/v1/campaigns/${segment(id)}/pause`, {}, options)).data;
  }

  /** Enrols contacts: `{ contactIds }` and/or `{ groupId }`. */
  async addContacts(id: string, params: CampaignAddContactsParams, options?: RequestOptions): Promise<CampaignContactsAdded> {
    return (await this.http.rest<CampaignContactsAdded>("POST", `/v1/campaigns/${segment(id)}/contacts`, { body: params }, options)).data;
  }

  /** One page of enrolments: each contact's `state`, `reason`, step and `nextSendAt`. */
  listContacts(id: string, params?: CampaignContactListParams, options?: RequestOptions): Promise<Page<Enrolment>> {
    return this.http.page(`/v1/campaigns/${segment(id)}/contacts`, params, options);
  }

  /** Every enrolment of the campaign, fetched page by page as you iterate. */
  iterateContacts(id: string, params?: CampaignContactListParams, options?: RequestOptions): AsyncGenerator<Enrolment, void, undefined> {
    return this.http.paginate(`/v1/campaigns/${segment(id)}/contacts`, params, options);
  }

  /** Unique-contact counts and rates (percentages, 2 decimals), per step, and a daily timeline bounded by `from`/`to`. */
  async getStats(id: string, params?: CampaignStatsParams, options?: RequestOptions): Promise<CampaignStats> {
    return (await this.http.rest<CampaignStats>("GET", `/v1/campaigns/${segment(id)}/stats`, { query: params }, options)).data;
  }

  /** Why the campaign is or is not sending right now. */
  async getSendingStatus(id: string, options?: RequestOptions): Promise<CampaignSendingStatus> {
    return (await this.http.rest<CampaignSendingStatus>("GET", `/v1/campaigns/${segment(id)}/sending-status`, {}, options)).data;
  }

  /** One page of the campaign's emails whose delivery is unknown. */
  listUnknownOutcomes(id: string, params?: UnknownOutcomeListParams, options?: RequestOptions): Promise<Page<UnknownOutcome>> {
    return this.http.page(`/v1/campaigns/${segment(id)}/unknown-outcomes`, params, options);
  }

  /** Decides about unknown outcomes: `resend` (the same Message-ID), `mark_sent` or `skip`. */
  async resolveUnknownOutcomes(id: string, params: UnknownOutcomeResolveParams, options?: RequestOptions): Promise<UnknownOutcomesResolved> {
    return (await this.http.rest<UnknownOutcomesResolved>("POST", `/v1/campaigns/${segment(id)}/unknown-outcomes/resolve`, { body: params }, options)).data;
  }
}
