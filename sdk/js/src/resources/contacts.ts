import type { Page, RequestOptions } from "../core.js";
import type {
  Contact,
  ContactBatchItem,
  ContactBatchResult,
  ContactCreateParams,
  ContactListParams,
  ContactUpdateParams,
  Deleted,
} from "../types.js";
import { Resource, collect, segment } from "./base.js";

/** `/v1/contacts`: the people campaigns write to. */
export class Contacts extends Resource {
  /** One page of contacts (filters `email`, `group`, `status`, `company`; `sort`, `order`). */
  list(params?: ContactListParams, options?: RequestOptions): Promise<Page<Contact>> {
    return this.http.page("/v1/contacts", params, options);
  }

  /** Every contact matching `params`, fetched page by page as you iterate. */
  iterate(params?: ContactListParams, options?: RequestOptions): AsyncGenerator<Contact, void, undefined> {
    return this.http.paginate("/v1/contacts", params, options);
  }

  /** Every contact matching `params`, in one array (all pages are fetched first). */
  async listAll(params?: ContactListParams, options?: RequestOptions): Promise<Contact[]> {
    return collect(this.iterate(params, options));
  }

  async get(id: string, options?: RequestOptions): Promise<Contact> {
    return (await this.http.rest<Contact>("GET", `/v1/contacts/${segment(id)}`, {}, options)).data;
  }

  /** Creates a contact; `email` is required and unique per workspace (409 otherwise). */
  async create(params: ContactCreateParams, options?: RequestOptions): Promise<Contact> {
    return (await this.http.rest<Contact>("POST", "/v1/contacts", { body: params }, options)).data;
  }

  /** Replaces the fields present in `params`. */
  async update(id: string, params: ContactUpdateParams, options?: RequestOptions): Promise<Contact> {
    return (await this.http.rest<Contact>("PUT", `/v1/contacts/${segment(id)}`, { body: params }, options)).data;
  }

  async delete(id: string, options?: RequestOptions): Promise<Deleted> {
    return (await this.http.rest<Deleted>("DELETE", `/v1/contacts/${segment(id)}`, {}, options)).data;
  }

  /**
   * Creates up to 1000 contacts in one request. Each succeeds or fails on its own: read
   * `results[i].success` (and `error`) rather than expecting an exception.
   */
  async createMany(contacts: ContactBatchItem[], options?: RequestOptions): Promise<ContactBatchResult> {
    return (await this.http.rest<ContactBatchResult>("POST", "/v1/contacts/batch", { body: { contacts } }, options)).data;
  }
}
