export { FluenzrClient, type ClientOptions } from "./client.js";
export type { Page, RequestOptions } from "./core.js";
export {
  AuthenticationError,
  ConflictError,
  ConnectionError,
  FluenzrError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  ServerError,
  TimeoutError,
  ValidationError,
  WebhookVerificationError,
  type ClientErrorCode,
} from "./errors.js";
export {
  verifyWebhook,
  type WebhookEvent,
  type WebhookHeaders,
  type WebhookPayload,
  type WebhookVerifyOptions,
} from "./webhook-signature.js";
export type { Campaigns } from "./resources/campaigns.js";
export type { Contacts } from "./resources/contacts.js";
export type { Domains } from "./resources/domains.js";
export type { EmailAccounts } from "./resources/email-accounts.js";
export type { Groups } from "./resources/groups.js";
export type { ImportWaitOptions, Imports } from "./resources/imports.js";
export type { Messages } from "./resources/messages.js";
export type { Suppressions } from "./resources/suppressions.js";
export type { Inbox } from "./resources/inbox.js";
export type { Webhooks } from "./resources/webhooks.js";
export type * from "./types.js";
export { VERSION } from "./version.js";
