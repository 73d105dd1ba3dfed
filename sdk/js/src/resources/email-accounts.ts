import type { Page, RequestOptions } from "../core.js";
import type {
  Deleted,
  EmailAccount,
  EmailAccountCreateParams,
  EmailAccountListParams,
  EmailAccountTestResult,
  EmailAccountUpdateParams,
  UnmatchedReport,
  UnmatchedReportListParams,
} from "../types.js";
import { Resource, collect, segment } from "./base.js";

/** `/v1/email-accounts`: the SMTP (and optionally IMAP) mailboxes campaigns send from. */
export class EmailAccounts extends Resource {
  list(params?: EmailAccountListParams, options?: RequestOptions): Promise<Page<EmailAccount>> {
    return this.http.page("/v1/email-accounts", params, options);
  }

  /** Every email account, fetched page by page as you iterate. */
  iterate(params?: EmailAccountListParams, options?: RequestOptions): AsyncGenerator<EmailAccount, void, undefined> {
    return this.http.paginate("/v1/email-accounts", params, options);
  }

  /** Every email account, in one array. */
  listAll(params?: EmailAccountListParams, options?: RequestOptions): Promise<EmailAccount[]> {
    return collect(this.iterate(params, options));
  }

  async get(id: string, options?: RequestOptions): Promise<EmailAccount> {
    return (await this.http.rest<EmailAccount>("GET", `/v1/email-accounts/${segment(id)}`, {}, options)).data;
  }

  /** Connects a mailbox; `smtpPassword` (and `imapPassword`) are write-only. */
  async create(params: EmailAccountCreateParams, options?: RequestOptions): Promise<EmailAccount> {
    return (await this.http.rest<EmailAccount>("POST", "/v1/email-accounts", { body: params }, options)).data;
  }

  async update(id: string, params: EmailAccountUpdateParams, options?: RequestOptions): Promise<EmailAccount> {
    return (await this.http.rest<EmailAccount>("PUT", `/v1/email-accounts/${segment(id)}`, { body: params }, options)).data;
  }

  /** Refused (409) while a draft, running or paused campaign uses the account. */
  async delete(id: string, options?: RequestOptions): Promise<Deleted> {
    return (await this.http.rest<Deleted>("DELETE", `/v1/email-accounts/${segment(id)}`, {}, options)).data;
  }

  /** Logs in to SMTP (and IMAP) as a send would, step by step, and sends nothing. */
  async test(id: string, options?: RequestOptions): Promise<EmailAccountTestResult> {
    return (await this.http.rest<EmailAccountTestResult>("POST", `/v1/email-accounts/${segment(id)}/test`, {}, options)).data;
  }

  /** One page of the bounce reports read from the mailbox that quote no email it sent. */
  listUnmatchedReports(id: string, params?: UnmatchedReportListParams, options?: RequestOptions): Promise<Page<UnmatchedReport>> {
    return this.http.page(`/v1/email-accounts/${segment(id)}/unmatched-reports`, params, options);
  }
}
