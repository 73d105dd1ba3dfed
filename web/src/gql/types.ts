/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
export type AccountStatus =
  | 'error'
  | 'ok';

/**
 * Once every variant of a step (with a weight above 0) has `minSentPerVariant` emails sent,
 * the one with the best rate of `metric` gets all further sends of that step
 * (`campaign.variant_won`).
 */
export type AutoWinnerInput = {
  metric?: WinnerMetric | null | undefined;
  /** Default 100. */
  minSentPerVariant?: number | null | undefined;
};

export type CampaignFilter = {
  status?: CampaignStatus | null | undefined;
};

/** A new campaign (a draft). `name` is required. */
export type CampaignInput = {
  /** Let the campaign pick each step's best variant by itself. */
  autoWinner?: AutoWinnerInput | null | undefined;
  /** Default 100. */
  dailyLimit?: number | null | undefined;
  emailAccountId?: string | number | null | undefined;
  /**
   * Inbox rotation: more accounts to send from beside `emailAccountId`. Each contact keeps
   * one account for its whole sequence; newcomers go to the account with most room today.
   */
  emailAccountIds?: Array<string | number> | null | undefined;
  name?: string | null | undefined;
  /**
   * Days a contact's sequence waits after an out-of-office answer that names no return
   * date (one that does holds it until that date). 0 to 90, default 7; 0: no wait.
   */
  oooPauseDays?: number | null | undefined;
  schedule?: ScheduleInput | null | undefined;
  steps?: Array<StepInput> | null | undefined;
  /** Default true. */
  stopOnReply?: boolean | null | undefined;
  /**
   * Whose enrolments a reply stops (with `stopOnReply`): `contact` (default), or `company`
   * — everyone enrolled at the replier's email domain, free-mail domains excepted.
   */
  stopOnReplyScope?: ReplyScope | null | undefined;
  /** Default true. */
  trackClicks?: boolean | null | undefined;
  /** Default true. */
  trackOpens?: boolean | null | undefined;
};

export type CampaignStatus =
  | 'completed'
  | 'draft'
  | 'paused'
  | 'running';

/** Fields present are replaced. Steps and the email account change only while draft or paused. */
export type CampaignUpdate = {
  /** `null` turns the automatic winner off. */
  autoWinner?: AutoWinnerInput | null | undefined;
  dailyLimit?: number | null | undefined;
  emailAccountId?: string | number | null | undefined;
  emailAccountIds?: Array<string | number> | null | undefined;
  name?: string | null | undefined;
  /** `null` sets the default, 7. */
  oooPauseDays?: number | null | undefined;
  schedule?: ScheduleInput | null | undefined;
  steps?: Array<StepInput> | null | undefined;
  stopOnReply?: boolean | null | undefined;
  /** `null` sets the default, `contact`. */
  stopOnReplyScope?: ReplyScope | null | undefined;
  trackClicks?: boolean | null | undefined;
  trackOpens?: boolean | null | undefined;
};

export type ContactFilter = {
  /** Case-insensitive exact company name. */
  company?: string | null | undefined;
  /** Case-insensitive substring of the email address. */
  email?: string | null | undefined;
  /** Only members of this group. */
  group?: string | number | null | undefined;
  status?: ContactStatus | null | undefined;
};

/** A new contact. `email` is required. */
export type ContactInput = {
  company?: string | null | undefined;
  customFields?: Record<string, unknown> | null | undefined;
  email?: string | null | undefined;
  firstName?: string | null | undefined;
  /** Groups to put the contact in. */
  groupIds?: Array<string | number> | null | undefined;
  lastName?: string | null | undefined;
  leadStatus?: LeadStatus | null | undefined;
  phone?: string | null | undefined;
  status?: ContactStatus | null | undefined;
  /** IANA name, e.g. `America/Sao_Paulo`. */
  timezone?: string | null | undefined;
};

export type ContactStatus =
  | 'active'
  | 'bounced'
  | 'unsubscribed';

/** Fields present are replaced; `null` clears an optional field. */
export type ContactUpdate = {
  company?: string | null | undefined;
  customFields?: Record<string, unknown> | null | undefined;
  email?: string | null | undefined;
  firstName?: string | null | undefined;
  /** Replaces the contact's groups. */
  groupIds?: Array<string | number> | null | undefined;
  lastName?: string | null | undefined;
  /** `null` clears it. A change emits `contact.lead_status_changed`. */
  leadStatus?: LeadStatus | null | undefined;
  phone?: string | null | undefined;
  status?: ContactStatus | null | undefined;
  /** IANA name; `null` clears it. */
  timezone?: string | null | undefined;
};

export type DkimKeyState =
  | 'active'
  | 'pending'
  | 'published';

/**
 * A new account. `email`, `smtpHost` and `smtpPassword` are required; `smtpSecurity` defaults
 * to `starttls`, `smtpPort` to the security's usual port, `smtpUsername` to `email`.
 */
export type EmailAccountInput = {
  dailyLimit?: number | null | undefined;
  email?: string | null | undefined;
  /** The IMAP server replies and bounce reports arrive at; without it reply tracking is off. */
  imapHost?: string | null | undefined;
  /** Write-only; required with `imapHost`. */
  imapPassword?: string | null | undefined;
  /** Default: 993 for `tls`, 143 otherwise. */
  imapPort?: number | null | undefined;
  /** Default `tls`. */
  imapSecurity?: SmtpSecurity | null | undefined;
  /** Default: `smtpUsername`. */
  imapUsername?: string | null | undefined;
  name?: string | null | undefined;
  /**
   * Sends per hour to each recipient provider (the provider known from the recipient
   * domain's MX records); a provider left out has no limit.
   */
  providerLimits?: ProviderLimitsInput | null | undefined;
  /**
   * Warm a new mailbox up: its daily limit starts at `startPerDay` and grows by
   * `increasePerDay` each day (from the day it was added) up to `dailyLimit`.
   */
  ramp?: RampInput | null | undefined;
  /** Least seconds between two sends (default 60; 0 = none). */
  sendGapSeconds?: number | null | undefined;
  smtpHost?: string | null | undefined;
  /** Write-only. */
  smtpPassword?: string | null | undefined;
  smtpPort?: number | null | undefined;
  smtpSecurity?: SmtpSecurity | null | undefined;
  smtpUsername?: string | null | undefined;
  /** IANA zone for the daily limit's days (default `UTC`). */
  timezone?: string | null | undefined;
};

/** Fields present are replaced. */
export type EmailAccountUpdate = {
  dailyLimit?: number | null | undefined;
  email?: string | null | undefined;
  /** `null` turns reply tracking off. */
  imapHost?: string | null | undefined;
  /** Write-only. */
  imapPassword?: string | null | undefined;
  imapPort?: number | null | undefined;
  imapSecurity?: SmtpSecurity | null | undefined;
  imapUsername?: string | null | undefined;
  name?: string | null | undefined;
  /** `null` removes every provider limit. */
  providerLimits?: ProviderLimitsInput | null | undefined;
  /** `null` ends the ramp. */
  ramp?: RampInput | null | undefined;
  sendGapSeconds?: number | null | undefined;
  smtpHost?: string | null | undefined;
  /** Write-only. */
  smtpPassword?: string | null | undefined;
  smtpPort?: number | null | undefined;
  smtpSecurity?: SmtpSecurity | null | undefined;
  smtpUsername?: string | null | undefined;
  timezone?: string | null | undefined;
};

/** Where a contact is in a campaign. */
export type EnrolmentState =
  | 'active'
  | 'bounced'
  | 'completed'
  | 'failed'
  | 'pending'
  | 'replied'
  | 'unsubscribed';

export type EventKind =
  | 'auto_replied'
  | 'bounced'
  | 'clicked'
  | 'clicked_raw'
  | 'opened'
  | 'opened_raw'
  | 'replied'
  | 'sent'
  | 'unsubscribed';

export type GroupFilter = {
  /** Case-insensitive substring of the name. */
  name?: string | null | undefined;
};

/** A new group. `name` is required. */
export type GroupInput = {
  description?: string | null | undefined;
  name?: string | null | undefined;
};

/** Fields present are replaced; `null` clears `description`. */
export type GroupUpdate = {
  description?: string | null | undefined;
  name?: string | null | undefined;
};

export type InboxFilter = {
  campaignId?: string | number | null | undefined;
  /** Threads whose contact has this lead status. */
  leadStatus?: LeadStatus | null | undefined;
  unread?: boolean | null | undefined;
};

export type LeadStatus =
  | 'interested'
  | 'not_interested'
  | 'other'
  | 'unsubscribe_request'
  | 'wrong_person';

/** Sends per hour to each recipient provider. */
export type ProviderLimitsInput = {
  google?: number | null | undefined;
  microsoft?: number | null | undefined;
  /** Every other provider. */
  other?: number | null | undefined;
  yahoo?: number | null | undefined;
};

/** A warm-up ramp. */
export type RampInput = {
  increasePerDay?: number | null | undefined;
  startPerDay?: number | null | undefined;
};

export type ReplyScope =
  | 'company'
  | 'contact';

/** Fields present replace the current (or default) schedule's. */
export type ScheduleInput = {
  /** ISO weekdays, 1 = Monday (default Monday to Friday): the days a window opens. */
  days?: Array<number> | null | undefined;
  /**
   * `HH:MM` (default `17:00`); before `startTime`, the window runs across midnight (e.g.
   * 18:00–09:00) and closes the next morning.
   */
  endTime?: string | null | undefined;
  /** With `timezone: "contact"`: the zone of contacts without one (default UTC). */
  fallbackTimezone?: string | null | undefined;
  /** Local dates (`YYYY-MM-DD`) on which no window opens (holidays); replaces the list. */
  skipDates?: Array<string> | null | undefined;
  /** `HH:MM` (default `09:00`). */
  startTime?: string | null | undefined;
  /**
   * IANA name, e.g. `America/Sao_Paulo` (default `UTC`), or `contact`: each contact's own
   * zone (`fallbackTimezone` for contacts without one).
   */
  timezone?: string | null | undefined;
};

export type SendIf =
  | 'always'
  | 'clicked'
  | 'not_clicked'
  | 'not_opened'
  | 'opened';

export type SignUpInput = {
  email: string;
  name?: string | null | undefined;
  password: string;
  workspaceName?: string | null | undefined;
};

export type SmtpSecurity =
  | 'none'
  | 'starttls'
  | 'tls';

export type SortOrder =
  | 'asc'
  | 'desc';

export type StepInput = {
  body?: string | null | undefined;
  /**
   * Days after the previous step; the first step must be 0 (the default), later ones
   * default to 1.
   */
  delayDays?: number | null | undefined;
  /**
   * When a follow-up goes out: `always` (the default), or only if an earlier email of the
   * sequence was `opened` / `clicked` by the contact, or none was (`not_opened`,
   * `not_clicked`). A step whose condition is false is skipped (recorded with reason
   * `condition`).
   */
  sendIf?: SendIf | null | undefined;
  subject?: string | null | undefined;
  /**
   * A/B/n: the step's versions (instead of `subject` and `body`), each sent to a share of
   * contacts by its weight. A step without them is one variant.
   */
  variants?: Array<VariantInput> | null | undefined;
};

export type SuppressionFilter = {
  kind?: SuppressionKind | null | undefined;
  source?: SuppressionSource | null | undefined;
  /** Case-insensitive substring of the value. */
  value?: string | null | undefined;
};

/** One suppression: `kind` and `value` are required; `source` defaults to `manual`. */
export type SuppressionInput = {
  kind?: SuppressionKind | null | undefined;
  source?: SuppressionSource | null | undefined;
  value?: string | null | undefined;
};

export type SuppressionKind =
  | 'domain'
  | 'email';

export type SuppressionSource =
  | 'bounce'
  | 'complaint'
  | 'manual'
  | 'reply'
  | 'unsubscribe';

/** What to do with emails whose outcome is unknown. */
export type UnknownOutcomeAction =
  /** Count as sent: the sequence goes on. */
  | 'mark_sent'
  /** Send again (the same Message-ID), at the next opportunity. */
  | 'resend'
  /** Give up: the enrolment stays closed `failed`, reason `skipped`. */
  | 'skip';

/** One version of a step's email. */
export type VariantInput = {
  body?: string | null | undefined;
  /** Keep an existing variant (and its figures) by giving its id; leave out for a new one. */
  id?: string | number | null | undefined;
  subject?: string | null | undefined;
  /**
   * Its share of the step's contacts against the other variants' weights (default 1; 0
   * sends it to nobody).
   */
  weight?: number | null | undefined;
};

/** A new subscription: `url` (https) and `events` (names from the catalogue, or `["*"]`, the default). */
export type WebhookInput = {
  active?: boolean | null | undefined;
  description?: string | null | undefined;
  events?: Array<string> | null | undefined;
  url?: string | null | undefined;
};

/** Fields present are replaced; `active: true` re-enables a disabled endpoint. */
export type WebhookUpdate = {
  active?: boolean | null | undefined;
  description?: string | null | undefined;
  events?: Array<string> | null | undefined;
  url?: string | null | undefined;
};

export type WinnerMetric =
  | 'click'
  | 'open'
  | 'reply';

export type SignUpMutationVariables = Exact<{
  input: SignUpInput;
}>;


export type SignUpMutation = { signUp: { token: string, expiresAt: string, user: { email: string }, workspace: { id: string, name: string, plan: string } } };

export type LoginMutationVariables = Exact<{
  email: string;
  password: string;
}>;


export type LoginMutation = { login: { token: string, expiresAt: string, user: { email: string }, workspace: { id: string, name: string, plan: string } } };

export type CampaignsQueryVariables = Exact<{
  page?: number | null | undefined;
  perPage?: number | null | undefined;
  filter?: CampaignFilter | null | undefined;
}>;


export type CampaignsQuery = { campaigns: { items: Array<{ id: string, name: string, status: CampaignStatus, pausedReason: string | null, contactCount: number, createdAt: string, emailAccount: { email: string } | null, stats: { sent: number, opened: number, replied: number, openRate: number, clickRate: number, replyRate: number, bounceRate: number } }>, pageInfo: { page: number, perPage: number, total: number, totalPages: number } } };

export type CampaignPageQueryVariables = Exact<{
  id: string | number;
  from?: string | null | undefined;
  to?: string | null | undefined;
  page?: number | null | undefined;
  state?: EnrolmentState | null | undefined;
  unknownPage?: number | null | undefined;
}>;


export type CampaignPageQuery = { campaign: { id: string, name: string, status: CampaignStatus, pausedReason: string | null, dailyLimit: number, contactCount: number, createdAt: string, startedAt: string | null, completedAt: string | null, trackOpens: boolean, trackClicks: boolean, stopOnReply: boolean, oooPauseDays: number, emailAccount: { id: string, email: string } | null, steps: Array<{ step: number, subject: string, delayDays: number }>, schedule: { timezone: string, days: Array<number>, startTime: string, endTime: string, fallbackTimezone: string | null, skipDates: Array<string> }, sendingStatus: { state: string, pausedReason: string | null, nextWindowAt: string | null, nextDueAt: string | null, sentToday: number, dailyLimit: number, dueNow: number, unknownOutcomes: number, failed: number, missingFields: Array<{ field: string, contacts: number }>, accounts: Array<{ emailAccountId: string, email: string, status: string, lastError: string | null, sentToday: number, dailyLimit: number, replyTracking: string }> }, stats: { contacts: number, sent: number, opened: number, clicked: number, replied: number, bounced: number, unsubscribed: number, autoReplied: number, openedRaw: number, clickedRaw: number, openRate: number, clickRate: number, replyRate: number, bounceRate: number, steps: Array<{ step: number, sent: number, opened: number, clicked: number, replied: number, bounced: number, openRate: number, clickRate: number, replyRate: number }>, timeline: Array<{ date: string, sent: number, opened: number, clicked: number, replied: number, bounced: number }> }, contacts: { items: Array<{ state: EnrolmentState, currentStep: number, enrolledAt: string, lastSentAt: string | null, nextSendAt: string | null, heldUntil: string | null, reason: string | null, contact: { id: string, email: string, firstName: string | null, lastName: string | null, company: string | null, customFields: Record<string, unknown> } }>, pageInfo: { page: number, perPage: number, total: number, totalPages: number } } }, unknownOutcomes: { items: Array<{ id: string, email: string, step: number, subject: string, updatedAt: string }>, pageInfo: { page: number, perPage: number, total: number, totalPages: number } } };

export type ResolveUnknownOutcomesMutationVariables = Exact<{
  campaignId: string | number;
  messageIds?: Array<string | number> | string | number | null | undefined;
  all?: boolean | null | undefined;
  action: UnknownOutcomeAction;
}>;


export type ResolveUnknownOutcomesMutation = { resolveUnknownOutcomes: { resolved: number } };

export type CreateCampaignMutationVariables = Exact<{
  input: CampaignInput;
}>;


export type CreateCampaignMutation = { createCampaign: { id: string, name: string, warnings: Array<{ step: number, part: string, variable: string, suggestion: string | null, message: string }> } };

export type StartCampaignMutationVariables = Exact<{
  id: string | number;
}>;


export type StartCampaignMutation = { startCampaign: { id: string, status: CampaignStatus } };

export type PauseCampaignMutationVariables = Exact<{
  id: string | number;
}>;


export type PauseCampaignMutation = { pauseCampaign: { id: string, status: CampaignStatus } };

export type DeleteCampaignMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteCampaignMutation = { deleteCampaign: { id: string, deleted: boolean } };

export type EnrolGroupMutationVariables = Exact<{
  id: string | number;
  groupId?: string | number | null | undefined;
}>;


export type EnrolGroupMutation = { addContactsToCampaign: { added: number, skipped: number, alreadyEnrolled: number } };

export type ContactsQueryVariables = Exact<{
  cursor?: string | null | undefined;
  perPage?: number | null | undefined;
  filter?: ContactFilter | null | undefined;
  sort?: string | null | undefined;
  order: SortOrder;
}>;


export type ContactsQuery = { contacts: { items: Array<{ id: string, email: string, firstName: string | null, lastName: string | null, company: string | null, phone: string | null, status: ContactStatus, leadStatus: LeadStatus | null, groupIds: Array<string>, createdAt: string }>, pageInfo: { page: number, perPage: number, total: number, totalPages: number, totalIsEstimate: boolean, nextCursor: string | null } } };

export type CreateContactMutationVariables = Exact<{
  input: ContactInput;
}>;


export type CreateContactMutation = { createContact: { id: string, email: string } };

export type DeleteContactMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteContactMutation = { deleteContact: { id: string, deleted: boolean } };

export type GroupOptionsQueryVariables = Exact<{ [key: string]: never; }>;


export type GroupOptionsQuery = { groups: { items: Array<{ id: string, name: string, contactCount: number }> } };

export type GroupsQueryVariables = Exact<{
  page?: number | null | undefined;
  filter?: GroupFilter | null | undefined;
}>;


export type GroupsQuery = { groups: { items: Array<{ id: string, name: string, description: string | null, contactCount: number, createdAt: string }>, pageInfo: { page: number, perPage: number, total: number, totalPages: number } } };

export type CreateGroupMutationVariables = Exact<{
  input: GroupInput;
}>;


export type CreateGroupMutation = { createGroup: { id: string, name: string } };

export type UpdateGroupMutationVariables = Exact<{
  id: string | number;
  input: GroupUpdate;
}>;


export type UpdateGroupMutation = { updateGroup: { id: string, name: string, description: string | null } };

export type DeleteGroupMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteGroupMutation = { deleteGroup: { id: string, deleted: boolean } };

export type EmailAccountsQueryVariables = Exact<{ [key: string]: never; }>;


export type EmailAccountsQuery = { emailAccounts: { items: Array<{ id: string, email: string, name: string | null, smtpHost: string, smtpPort: number, smtpUsername: string, smtpSecurity: SmtpSecurity, dailyLimit: number, timezone: string, sendGapSeconds: number, status: AccountStatus, lastError: string | null, replyTracking: string, imapHost: string | null, imapPort: number | null, imapUsername: string | null, imapSecurity: SmtpSecurity | null, imapCheckedAt: string | null, sentToday: number }> } };

export type CreateEmailAccountMutationVariables = Exact<{
  input: EmailAccountInput;
}>;


export type CreateEmailAccountMutation = { createEmailAccount: { id: string, email: string } };

export type UpdateEmailAccountMutationVariables = Exact<{
  id: string | number;
  input: EmailAccountUpdate;
}>;


export type UpdateEmailAccountMutation = { updateEmailAccount: { id: string, email: string } };

export type DeleteEmailAccountMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteEmailAccountMutation = { deleteEmailAccount: { id: string, deleted: boolean } };

export type TestEmailAccountMutationVariables = Exact<{
  id: string | number;
}>;


export type TestEmailAccountMutation = { testEmailAccount: { smtp: { ok: boolean, error: string | null, steps: Array<{ step: string, ok: boolean, reply: string }> }, imap: { ok: boolean, error: string | null, steps: Array<{ step: string, ok: boolean, reply: string }> } | null, emailAccount: { id: string, status: AccountStatus, lastError: string | null } } };

export type WebhooksQueryVariables = Exact<{ [key: string]: never; }>;


export type WebhooksQuery = { webhooks: { items: Array<{ id: string, url: string, events: Array<string>, description: string | null, active: boolean, disabledReason: string | null, createdAt: string }> } };

export type WebhookDeliveriesQueryVariables = Exact<{
  id: string | number;
  page?: number | null | undefined;
}>;


export type WebhookDeliveriesQuery = { webhook: { id: string, deliveries: { items: Array<{ eventId: string, eventType: string, attempt: number, success: boolean, statusCode: number | null, error: string | null, durationMs: number, createdAt: string }>, pageInfo: { page: number, perPage: number, total: number, totalPages: number } } } };

export type CreateWebhookMutationVariables = Exact<{
  input: WebhookInput;
}>;


export type CreateWebhookMutation = { createWebhook: { id: string, url: string, secret: string | null } };

export type UpdateWebhookMutationVariables = Exact<{
  id: string | number;
  input: WebhookUpdate;
}>;


export type UpdateWebhookMutation = { updateWebhook: { id: string, active: boolean } };

export type DeleteWebhookMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteWebhookMutation = { deleteWebhook: { id: string, deleted: boolean } };

export type TestWebhookMutationVariables = Exact<{
  id: string | number;
}>;


export type TestWebhookMutation = { testWebhook: { eventId: string } };

export type RotateWebhookSecretMutationVariables = Exact<{
  id: string | number;
}>;


export type RotateWebhookSecretMutation = { rotateWebhookSecret: { id: string, secret: string | null } };

export type ApiKeysQueryVariables = Exact<{ [key: string]: never; }>;


export type ApiKeysQuery = { apiKeys: Array<{ id: string, name: string, prefix: string, createdAt: string, lastUsedAt: string | null, revokedAt: string | null }>, viewer: { workspace: { plan: string } } };

export type CreateApiKeyMutationVariables = Exact<{
  name?: string | null | undefined;
}>;


export type CreateApiKeyMutation = { createApiKey: { secret: string, apiKey: { id: string, name: string, prefix: string } } };

export type RevokeApiKeyMutationVariables = Exact<{
  id: string | number;
}>;


export type RevokeApiKeyMutation = { revokeApiKey: { id: string, revokedAt: string | null } };

export type SuppressionsQueryVariables = Exact<{
  page?: number | null | undefined;
  filter?: SuppressionFilter | null | undefined;
}>;


export type SuppressionsQuery = { suppressions: { items: Array<{ id: string, kind: SuppressionKind, value: string, source: SuppressionSource, createdAt: string }>, pageInfo: { page: number, perPage: number, total: number, totalPages: number } } };

export type AddSuppressionsMutationVariables = Exact<{
  items?: Array<SuppressionInput> | SuppressionInput | null | undefined;
}>;


export type AddSuppressionsMutation = { addSuppressions: { created: number, existing: number } };

export type DeleteSuppressionMutationVariables = Exact<{
  id: string | number;
  reason?: string | null | undefined;
}>;


export type DeleteSuppressionMutation = { deleteSuppression: { id: string, deleted: boolean } };

export type CampaignEditQueryVariables = Exact<{
  id: string | number;
}>;


export type CampaignEditQuery = { campaign: { id: string, status: CampaignStatus, dailyLimit: number, trackOpens: boolean, trackClicks: boolean, stopOnReply: boolean, oooPauseDays: number, emailAccountIds: Array<string>, autoWinner: { metric: WinnerMetric, minSentPerVariant: number } | null, schedule: { timezone: string, days: Array<number>, startTime: string, endTime: string, fallbackTimezone: string | null, skipDates: Array<string> }, steps: Array<{ step: number, subject: string, body: string, delayDays: number, sendIf: SendIf, variants: Array<{ id: string, subject: string, body: string, weight: number }> }>, stats: { steps: Array<{ step: number, sent: number, winnerId: string | null, variants: Array<{ variantId: string, sent: number, opened: number, clicked: number, replied: number, openRate: number, clickRate: number, replyRate: number }> }> } }, emailAccounts: { items: Array<{ id: string, email: string }> } };

export type UpdateCampaignMutationVariables = Exact<{
  id: string | number;
  input: CampaignUpdate;
}>;


export type UpdateCampaignMutation = { updateCampaign: { id: string, warnings: Array<{ step: number, variantId: string, part: string, variable: string, suggestion: string | null, message: string }> } };

export type CampaignPreviewQueryVariables = Exact<{
  id: string | number;
  contactId: string | number;
  step: number;
  variantId?: string | number | null | undefined;
  subject?: string | null | undefined;
  body?: string | null | undefined;
}>;


export type CampaignPreviewQuery = { campaign: { preview: { variantId: string, subject: string, body: string, bodyText: string | null, from: string, to: string } } };

export type ContactPlanQueryVariables = Exact<{
  id: string | number;
  contactId: string | number;
}>;


export type ContactPlanQuery = { campaign: { plan: { state: EnrolmentState, reason: string | null, timezone: string, steps: Array<{ step: number, plannedAt: string | null, reasons: Array<{ code: string, message: string }> }> } } };

export type ContactPageQueryVariables = Exact<{
  id: string | number;
}>;


export type ContactPageQuery = { contact: { id: string, email: string, firstName: string | null, lastName: string | null, company: string | null, phone: string | null, timezone: string | null, customFields: Record<string, unknown>, status: ContactStatus, leadStatus: LeadStatus | null, createdAt: string, campaigns: Array<{ state: EnrolmentState, currentStep: number, enrolledAt: string, campaign: { id: string, name: string } }>, messages: Array<{ id: string, campaignId: string, step: number, subject: string, state: string, variantId: string | null, skipReason: string | null, sentAt: string | null, openedAt: string | null, clickedAt: string | null, repliedAt: string | null }> }, campaigns: { items: Array<{ id: string, name: string, status: CampaignStatus }> } };

export type UpdateContactMutationVariables = Exact<{
  id: string | number;
  input: ContactUpdate;
}>;


export type UpdateContactMutation = { updateContact: { id: string } };

export type EnrolContactsMutationVariables = Exact<{
  id: string | number;
  contactIds?: Array<string | number> | string | number | null | undefined;
}>;


export type EnrolContactsMutation = { addContactsToCampaign: { added: number, skipped: number, alreadyEnrolled: number } };

export type AddToGroupMutationVariables = Exact<{
  id: string | number;
  contactIds: Array<string | number> | string | number;
}>;


export type AddToGroupMutation = { addContactsToGroup: { added: number, alreadyMembers: number } };

export type CampaignOptionsQueryVariables = Exact<{ [key: string]: never; }>;


export type CampaignOptionsQuery = { campaigns: { items: Array<{ id: string, name: string, status: CampaignStatus }> } };

export type ContactsExportQueryVariables = Exact<{
  cursor?: string | null | undefined;
  filter?: ContactFilter | null | undefined;
  sort?: string | null | undefined;
  order: SortOrder;
}>;


export type ContactsExportQuery = { contacts: { items: Array<{ id: string, email: string, firstName: string | null, lastName: string | null, company: string | null, phone: string | null, timezone: string | null, status: ContactStatus, customFields: Record<string, unknown>, createdAt: string }>, pageInfo: { nextCursor: string | null } } };

export type DomainFieldsFragment = { name: string, emailAccountIds: Array<string>, checkedAt: string | null, bimiEligible: boolean | null, mx: { provider: string | null, records: Array<{ preference: number, host: string }> } | null, spf: { record: string | null, mechanisms: Array<string>, lookups: number, all: string | null, hosts: Array<{ host: string, authorised: boolean }> } | null, dkim: { selectors: Array<{ selector: string, keyType: string, bits: number | null, managed: boolean }> } | null, dmarc: { record: string | null, recordDomain: string | null, p: string | null, sp: string | null, pct: number | null, adkim: string | null, aspf: string | null, rua: Array<string> } | null, verdicts: { gmailYahooBulk: { status: string, problems: Array<{ code: string, message: string, fix: string }> }, microsoftHighVolume: { status: string, problems: Array<{ code: string, message: string, fix: string }> } } | null, dkimKeys: Array<{ id: string, selector: string, algorithm: string, state: DkimKeyState, publishedAt: string | null, activatedAt: string | null, createdAt: string, record: { type: string, name: string, host: string, value: string } }> };

export type DomainsQueryVariables = Exact<{
  page?: number | null | undefined;
}>;


export type DomainsQuery = { domains: { items: Array<{ name: string, emailAccountIds: Array<string>, checkedAt: string | null, bimiEligible: boolean | null, mx: { provider: string | null, records: Array<{ preference: number, host: string }> } | null, spf: { record: string | null, mechanisms: Array<string>, lookups: number, all: string | null, hosts: Array<{ host: string, authorised: boolean }> } | null, dkim: { selectors: Array<{ selector: string, keyType: string, bits: number | null, managed: boolean }> } | null, dmarc: { record: string | null, recordDomain: string | null, p: string | null, sp: string | null, pct: number | null, adkim: string | null, aspf: string | null, rua: Array<string> } | null, verdicts: { gmailYahooBulk: { status: string, problems: Array<{ code: string, message: string, fix: string }> }, microsoftHighVolume: { status: string, problems: Array<{ code: string, message: string, fix: string }> } } | null, dkimKeys: Array<{ id: string, selector: string, algorithm: string, state: DkimKeyState, publishedAt: string | null, activatedAt: string | null, createdAt: string, record: { type: string, name: string, host: string, value: string } }> }>, pageInfo: { page: number, perPage: number, total: number, totalPages: number } }, emailAccounts: { items: Array<{ id: string, email: string }> } };

export type DomainQueryVariables = Exact<{
  name: string;
}>;


export type DomainQuery = { domain: { name: string, emailAccountIds: Array<string>, checkedAt: string | null, bimiEligible: boolean | null, mx: { provider: string | null, records: Array<{ preference: number, host: string }> } | null, spf: { record: string | null, mechanisms: Array<string>, lookups: number, all: string | null, hosts: Array<{ host: string, authorised: boolean }> } | null, dkim: { selectors: Array<{ selector: string, keyType: string, bits: number | null, managed: boolean }> } | null, dmarc: { record: string | null, recordDomain: string | null, p: string | null, sp: string | null, pct: number | null, adkim: string | null, aspf: string | null, rua: Array<string> } | null, verdicts: { gmailYahooBulk: { status: string, problems: Array<{ code: string, message: string, fix: string }> }, microsoftHighVolume: { status: string, problems: Array<{ code: string, message: string, fix: string }> } } | null, dkimKeys: Array<{ id: string, selector: string, algorithm: string, state: DkimKeyState, publishedAt: string | null, activatedAt: string | null, createdAt: string, record: { type: string, name: string, host: string, value: string } }> } };

export type CheckDomainMutationVariables = Exact<{
  name: string;
}>;


export type CheckDomainMutation = { checkDomain: { name: string, emailAccountIds: Array<string>, checkedAt: string | null, bimiEligible: boolean | null, mx: { provider: string | null, records: Array<{ preference: number, host: string }> } | null, spf: { record: string | null, mechanisms: Array<string>, lookups: number, all: string | null, hosts: Array<{ host: string, authorised: boolean }> } | null, dkim: { selectors: Array<{ selector: string, keyType: string, bits: number | null, managed: boolean }> } | null, dmarc: { record: string | null, recordDomain: string | null, p: string | null, sp: string | null, pct: number | null, adkim: string | null, aspf: string | null, rua: Array<string> } | null, verdicts: { gmailYahooBulk: { status: string, problems: Array<{ code: string, message: string, fix: string }> }, microsoftHighVolume: { status: string, problems: Array<{ code: string, message: string, fix: string }> } } | null, dkimKeys: Array<{ id: string, selector: string, algorithm: string, state: DkimKeyState, publishedAt: string | null, activatedAt: string | null, createdAt: string, record: { type: string, name: string, host: string, value: string } }> } };

export type CreateDkimKeyMutationVariables = Exact<{
  name: string;
  algorithm?: string | null | undefined;
  selector?: string | null | undefined;
}>;


export type CreateDkimKeyMutation = { createDkimKey: { key: { selector: string }, domain: { name: string, emailAccountIds: Array<string>, checkedAt: string | null, bimiEligible: boolean | null, mx: { provider: string | null, records: Array<{ preference: number, host: string }> } | null, spf: { record: string | null, mechanisms: Array<string>, lookups: number, all: string | null, hosts: Array<{ host: string, authorised: boolean }> } | null, dkim: { selectors: Array<{ selector: string, keyType: string, bits: number | null, managed: boolean }> } | null, dmarc: { record: string | null, recordDomain: string | null, p: string | null, sp: string | null, pct: number | null, adkim: string | null, aspf: string | null, rua: Array<string> } | null, verdicts: { gmailYahooBulk: { status: string, problems: Array<{ code: string, message: string, fix: string }> }, microsoftHighVolume: { status: string, problems: Array<{ code: string, message: string, fix: string }> } } | null, dkimKeys: Array<{ id: string, selector: string, algorithm: string, state: DkimKeyState, publishedAt: string | null, activatedAt: string | null, createdAt: string, record: { type: string, name: string, host: string, value: string } }> } } };

export type ActivateDkimKeyMutationVariables = Exact<{
  name: string;
  selector: string;
}>;


export type ActivateDkimKeyMutation = { activateDkimKey: { name: string, emailAccountIds: Array<string>, checkedAt: string | null, bimiEligible: boolean | null, mx: { provider: string | null, records: Array<{ preference: number, host: string }> } | null, spf: { record: string | null, mechanisms: Array<string>, lookups: number, all: string | null, hosts: Array<{ host: string, authorised: boolean }> } | null, dkim: { selectors: Array<{ selector: string, keyType: string, bits: number | null, managed: boolean }> } | null, dmarc: { record: string | null, recordDomain: string | null, p: string | null, sp: string | null, pct: number | null, adkim: string | null, aspf: string | null, rua: Array<string> } | null, verdicts: { gmailYahooBulk: { status: string, problems: Array<{ code: string, message: string, fix: string }> }, microsoftHighVolume: { status: string, problems: Array<{ code: string, message: string, fix: string }> } } | null, dkimKeys: Array<{ id: string, selector: string, algorithm: string, state: DkimKeyState, publishedAt: string | null, activatedAt: string | null, createdAt: string, record: { type: string, name: string, host: string, value: string } }> } };

export type DeleteDkimKeyMutationVariables = Exact<{
  name: string;
  selector: string;
}>;


export type DeleteDkimKeyMutation = { deleteDkimKey: { name: string, emailAccountIds: Array<string>, checkedAt: string | null, bimiEligible: boolean | null, mx: { provider: string | null, records: Array<{ preference: number, host: string }> } | null, spf: { record: string | null, mechanisms: Array<string>, lookups: number, all: string | null, hosts: Array<{ host: string, authorised: boolean }> } | null, dkim: { selectors: Array<{ selector: string, keyType: string, bits: number | null, managed: boolean }> } | null, dmarc: { record: string | null, recordDomain: string | null, p: string | null, sp: string | null, pct: number | null, adkim: string | null, aspf: string | null, rua: Array<string> } | null, verdicts: { gmailYahooBulk: { status: string, problems: Array<{ code: string, message: string, fix: string }> }, microsoftHighVolume: { status: string, problems: Array<{ code: string, message: string, fix: string }> } } | null, dkimKeys: Array<{ id: string, selector: string, algorithm: string, state: DkimKeyState, publishedAt: string | null, activatedAt: string | null, createdAt: string, record: { type: string, name: string, host: string, value: string } }> } };

export type ContactExportQueryVariables = Exact<{
  id: string | number;
}>;


export type ContactExportQuery = { contactExport: { exportedAt: string, contact: { id: string, email: string, firstName: string | null, lastName: string | null, company: string | null, phone: string | null, timezone: string | null, customFields: Record<string, unknown>, status: ContactStatus, leadStatus: LeadStatus | null, groupIds: Array<string>, createdAt: string, updatedAt: string }, enrolments: Array<{ campaignId: string, state: EnrolmentState, currentStep: number, reason: string | null, emailAccountId: string | null, enrolledAt: string, lastSentAt: string | null, nextSendAt: string | null }>, messages: Array<{ id: string, campaignId: string, step: number, variantId: string | null, messageId: string, subject: string, body: string | null, bodyText: string | null, state: string, lastReply: string | null, skipReason: string | null, createdAt: string, sentAt: string | null, openedAt: string | null, clickedAt: string | null, repliedAt: string | null }>, events: Array<{ type: EventKind, campaignId: string, step: number, occurredAt: string, detail: Record<string, unknown> }>, suppressions: Array<{ id: string, kind: SuppressionKind, value: string, source: SuppressionSource, createdAt: string }>, inbox: Array<{ id: string, threadId: string, kind: string, from: string, subject: string, text: string, html: string | null, at: string }> } };

export type EraseContactMutationVariables = Exact<{
  id: string | number;
}>;


export type EraseContactMutation = { deleteContact: { id: string, deleted: boolean } };

export type InboxThreadsQueryVariables = Exact<{
  page?: number | null | undefined;
  filter?: InboxFilter | null | undefined;
}>;


export type InboxThreadsQuery = { inbox: { items: Array<{ id: string, campaignId: string, unread: boolean, lastMessageAt: string, contact: { id: string, email: string, firstName: string | null, lastName: string | null, leadStatus: LeadStatus | null } }>, pageInfo: { page: number, perPage: number, total: number, totalPages: number } }, campaigns: { items: Array<{ id: string, name: string }> } };

export type InboxConversationQueryVariables = Exact<{
  id: string | number;
}>;


export type InboxConversationQuery = { inboxThread: { id: string, campaignId: string, unread: boolean, contact: { id: string, email: string, firstName: string | null, lastName: string | null, leadStatus: LeadStatus | null }, messages: Array<{ id: string, kind: string, step: number | null, from: string, subject: string, text: string, at: string }> } };

export type MarkInboxThreadReadMutationVariables = Exact<{
  id: string | number;
}>;


export type MarkInboxThreadReadMutation = { markInboxThreadRead: { id: string, unread: boolean } };

export type ReplyToInboxThreadMutationVariables = Exact<{
  id: string | number;
  body: string;
}>;


export type ReplyToInboxThreadMutation = { replyToInboxThread: { savedToSent: boolean, message: { id: string } } };
