import type { Page, RequestOptions } from "../core.js";
import type { InboxAnswer, InboxConversation, InboxListParams, InboxThread } from "../types.js";
import { Resource, collect, segment } from "./base.js";

/** `/v1/inbox`: the threads people replied in, each conversation, and answering from it. */
export class Inbox extends Resource {
  /** One page of threads, the latest message first (filters `leadStatus`, `campaignId`, `unread`). */
  list(params?: InboxListParams, options?: RequestOptions): Promise<Page<InboxThread>> {
    return this.http.page("/v1/inbox", params, options);
  }

  /** Every thread matching `params`, fetched page by page as you iterate. */
  iterate(params?: InboxListParams, options?: RequestOptions): AsyncGenerator<InboxThread, void, undefined> {
    return this.http.paginate("/v1/inbox", params, options);
  }

  /** Every thread matching `params`, in one array. */
  listAll(params?: InboxListParams, options?: RequestOptions): Promise<InboxThread[]> {
    return collect(this.iterate(params, options));
  }

  /** One conversation: every sent and received message, oldest first, HTML sanitized. */
  async get(id: string, options?: RequestOptions): Promise<InboxConversation> {
    return (await this.http.rest<InboxConversation>("GET", `/v1/inbox/${segment(id)}`, {}, options)).data;
  }

  /** Marks a thread read. */
  async read(id: string, options?: RequestOptions): Promise<InboxThread> {
    return (await this.http.rest<InboxThread>("POST", `/v1/inbox/${segment(id)}/read`, {}, options)).data;
  }

  /**
   * Answers a thread: a plain-text email from the thread's account to the contact, in the same
   * conversation, appended to the account's Sent folder when it reads a mailbox
   * (`savedToSent`). A refused send throws and keeps nothing.
   */
  async reply(id: string, body: string, options?: RequestOptions): Promise<InboxAnswer> {
    return (await this.http.rest<InboxAnswer>("POST", `/v1/inbox/${segment(id)}/reply`, { body: { body } }, options)).data;
  }
}
