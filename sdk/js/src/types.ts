/**
 * The SDK's public types, each derived from the API's own OpenAPI document
 * (`src/generated/openapi.ts`, made by openapi-typescript from `/v1/openapi.json`).
 * Nothing here lists a field by hand: when the API changes, `npm run check-types` says so,
 * and regenerating the file updates these types.
 */
import type { components, operations } from "./generated/openapi.js";

type OperationId = keyof operations;
type Json<T> = T extends { content: { "application/json": infer Body } } ? Body : never;
type Responses<O extends OperationId> = operations[O]["responses"];
/** The success envelope of an operation (its 200, 201 or 202 answer). */
type Success<O extends OperationId> = {
  [S in keyof Responses<O>]: S extends 200 | 201 | 202 ? Json<Responses<O>[S]> : never;
}[keyof Responses<O>];

/** What an operation answers in the envelope's `data`. */
export type ResponseData<O extends OperationId> = Success<O> extends { data: infer D } ? D : never;
/** The JSON body an operation takes. */
export type RequestBody<O extends OperationId> = Json<NonNullable<operations[O]["requestBody"]>>;
/** The body an operation takes in another media type than JSON. */
type RequestBodyOf<O extends OperationId, Media extends string> =
  NonNullable<operations[O]["requestBody"]> extends { content: { [M in Media]: infer Body } } ? Body : never;
/** The query parameters an operation takes. */
export type QueryParams<O extends OperationId> = NonNullable<operations[O]["parameters"]["query"]>;
type Item<T> = T extends readonly (infer I)[] ? I : never;

// Envelope pieces
/** Every error code the API answers with. */
export type ErrorCode = components["schemas"]["ErrorCode"];
/** The `details` object of an error envelope: `requestId`, often `field`, and scalars. */
export type ErrorDetails = {
  [key: string]: components["schemas"]["DetailValue"] | undefined;
};
/**
 * A list's `meta`: `page`, `perPage`, `total` (an estimate when `totalIsEstimate`), `totalPages`,
 * and `nextCursor` (null on the last page).
 */
export type ListMeta = Success<"listContacts"> extends { meta: infer M } ? M : never;
/** A value allowed in `customFields`. */
export type CustomValue = components["schemas"]["CustomValue"];
/** The answer of every delete: `{ id, deleted }`. */
export type Deleted = ResponseData<"deleteContact">;

// Contacts
export type Contact = ResponseData<"getContact">;
/** One email of a campaign to a contact, as sent (or its skipped step). */
export type Message = ResponseData<"getMessage">;
export type ContactStatus = Contact["status"];
/** What a contact's replies say, or what a person set. */
export type LeadStatus = NonNullable<Contact["leadStatus"]>;
/** Everything held about a contact (`GET /v1/contacts/:id/export`). */
export type ContactExport = ResponseData<"exportContact">;
export type ContactCreateParams = RequestBody<"createContact">;
export type ContactUpdateParams = RequestBody<"updateContact">;
export type ContactListParams = QueryParams<"listContacts">;
/** One contact of a batch; each is checked on its own. */
export type ContactBatchItem = Item<RequestBody<"createContacts">["contacts"]>;
export type ContactBatchResult = ResponseData<"createContacts">;

// CSV imports
/** A CSV import: its `status`, counts and the refused rows (`errors`). */
export type Import = ResponseData<"getContactImport">;
/** A refused row of an import: its CSV line (`row`, the header is line 1), `column` and `message`. */
export type ImportRowError = Item<Import["errors"]>;
/** What to do with a row whose email already exists: leave the contact (`skip`) or update it. */
export type ImportDuplicates = NonNullable<QueryParams<"importContacts">["duplicates"]>;
/**
 * The options of `contacts.import`: the query string of `POST /v1/contacts/import`, with
 * `mapping` as an object (CSV header → `email`, `firstName`, `lastName`, `company`, `phone`,
 * `customFields.<key>` or `ignore`) that the SDK sends as JSON.
 */
export type ContactImportParams = Omit<QueryParams<"importContacts">, "mapping"> & {
  mapping?: Record<string, string> | undefined;
};
/** The CSV file an import reads: its text, or its bytes (UTF-8 or Latin-1). */
export type ContactImportBody = RequestBodyOf<"importContacts", "text/csv"> | Uint8Array | Blob;

// Groups
export type Group = ResponseData<"getGroup">;
export type GroupCreateParams = RequestBody<"createGroup">;
export type GroupUpdateParams = RequestBody<"updateGroup">;
export type GroupListParams = QueryParams<"listGroups">;
export type GroupContactListParams = QueryParams<"listGroupContacts">;
export type GroupContactsParams = RequestBody<"addGroupContacts">;
export type GroupContactsAdded = ResponseData<"addGroupContacts">;
export type GroupContactsRemoved = ResponseData<"removeGroupContacts">;

// Email accounts
export type EmailAccount = ResponseData<"getEmailAccount">;
export type EmailAccountCreateParams = RequestBody<"createEmailAccount">;
export type EmailAccountUpdateParams = RequestBody<"updateEmailAccount">;
export type EmailAccountListParams = QueryParams<"listEmailAccounts">;
export type EmailAccountTestResult = ResponseData<"testEmailAccount">;

// Campaigns
export type Campaign = ResponseData<"getCampaign">;
export type CampaignStatus = Campaign["status"];
export type CampaignCreateParams = RequestBody<"createCampaign">;
export type CampaignUpdateParams = RequestBody<"updateCampaign">;
export type CampaignListParams = QueryParams<"listCampaigns">;
/** `{ contactIds }` and/or `{ groupId }`. */
export type CampaignAddContactsParams = RequestBody<"addCampaignContacts">;
export type CampaignContactsAdded = ResponseData<"addCampaignContacts">;
/** A contact's enrolment in a campaign: its state, step and next send. */
export type Enrolment = Item<ResponseData<"listCampaignContacts">>;
export type CampaignContactListParams = QueryParams<"listCampaignContacts">;
export type CampaignStats = ResponseData<"getCampaignStats">;
/** A created or edited campaign, with `warnings` for variables no contact field has. */
export type CampaignWithWarnings = ResponseData<"createCampaign">;
/** A started campaign with its deliverability warnings. */
export type CampaignStarted = ResponseData<"startCampaign">;
/** When each remaining step of a contact's sequence is planned to go, and why there. */
export type ContactPlan = ResponseData<"getContactPlan">;
/** A step for a contact exactly as it would go out. */
export type EmailPreview = ResponseData<"previewCampaignEmail">;
export type EmailPreviewParams = RequestBody<"previewCampaignEmail">;
export type TestEmailParams = RequestBody<"sendCampaignTestEmail">;
export type TestEmailResult = ResponseData<"sendCampaignTestEmail">;
export type CampaignStatsParams = QueryParams<"getCampaignStats">;
export type CampaignSendingStatus = ResponseData<"getCampaignSendingStatus">;
/** An email whose delivery is unknown: the connection broke after its content was handed over. */
export type UnknownOutcome = Item<ResponseData<"listUnknownOutcomes">>;
export type UnknownOutcomeListParams = QueryParams<"listUnknownOutcomes">;
/** `{ messageIds }` or `{ all: true }`, with `action`: `resend`, `mark_sent` or `skip`. */
export type UnknownOutcomeResolveParams = RequestBody<"resolveUnknownOutcomes">;
export type UnknownOutcomesResolved = ResponseData<"resolveUnknownOutcomes">;
/** A bounce report that quotes no email the account sent: kept, with no effect. */
export type UnmatchedReport = Item<ResponseData<"listUnmatchedReports">>;
export type UnmatchedReportListParams = QueryParams<"listUnmatchedReports">;

// Webhooks
export type Webhook = ResponseData<"getWebhook">;
/** A webhook as created or rotated: it carries its signing `secret`, shown this once. */
export type WebhookWithSecret = ResponseData<"createWebhook">;
export type WebhookCreateParams = RequestBody<"createWebhook">;
export type WebhookUpdateParams = RequestBody<"updateWebhook">;
export type WebhookListParams = QueryParams<"listWebhooks">;
export type WebhookDelivery = Item<ResponseData<"listWebhookDeliveries">>;
export type WebhookDeliveryListParams = QueryParams<"listWebhookDeliveries">;
export type WebhookTestResult = ResponseData<"testWebhook">;
/** An event type a webhook can subscribe to (`"*"` is every one). */
export type WebhookEventType = Exclude<Item<NonNullable<WebhookCreateParams["events"]>>, "*">;

// Inbox
/** A thread someone replied in (one campaign's emails to one contact). */
export type InboxThread = Item<ResponseData<"listInboxThreads">>;
export type InboxListParams = QueryParams<"listInboxThreads">;
/** A thread with every sent and received message. */
export type InboxConversation = ResponseData<"getInboxThread">;
export type InboxMessage = Item<InboxConversation["messages"]>;
export type InboxAnswer = ResponseData<"replyToInboxThread">;

// Suppressions
/** An address or a domain the workspace never emails. */
export type Suppression = Item<ResponseData<"listSuppressions">>;
export type SuppressionKind = Suppression["kind"];
export type SuppressionSource = Suppression["source"];
export type SuppressionListParams = QueryParams<"listSuppressions">;
/** The body of `POST /v1/suppressions`: one suppression, or `items`. */
export type SuppressionAddParams = RequestBody<"addSuppressions">;
/** One suppression to add: `kind`, `value` and optionally `source` (default `manual`). */
export type SuppressionInput = Item<NonNullable<SuppressionAddParams["items"]>>;
export type SuppressionsAdded = ResponseData<"addSuppressions">;

// Sending domains
/**
 * A sending domain (an email account's From domain) as last checked against DNS: its MX, SPF,
 * DKIM and DMARC findings, Gmail/Yahoo's and Microsoft's verdicts, and FluenzR's DKIM keys.
 */
export type Domain = ResponseData<"getDomain">;
export type DomainListParams = QueryParams<"listDomains">;
/** A provider's verdict on a domain: `status` (`pass` or `fail`) and the `problems` to fix. */
export type DomainVerdict = NonNullable<Domain["verdicts"]>["gmailYahooBulk"];
/** Why a domain fails a provider's rules: a stable `code`, a `message` and the `fix`. */
export type DomainProblem = Item<DomainVerdict["problems"]>;
/** One of FluenzR's DKIM keys for a domain: its state and the TXT record to publish. */
export type DkimKey = Item<Domain["dkimKeys"]>;
/** `pending` (not found in DNS as made), `published` (found) or `active` (signing). */
export type DkimKeyState = DkimKey["state"];
/** `algorithm` (`rsa-2048` by default, or `ed25519`) and `selector` (`fluenzr` by default). */
export type DkimKeyCreateParams = RequestBody<"createDkimKey">;
export type DkimAlgorithm = NonNullable<DkimKeyCreateParams["algorithm"]>;
/** A new DKIM key (`pending` until its record is found in DNS) and its domain. */
export type DkimKeyCreated = ResponseData<"createDkimKey">;

/** Paging parameters every list takes. */
export type PageParams = Pick<ContactListParams, "page" | "perPage">;

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
