import type { Page, RequestOptions } from "../core.js";
import type {
  Contact,
  ContactBatchItem,
  ContactBatchResult,
  ContactCreateParams,
  ContactExport,
  ContactImportBody,
  ContactImportParams,
  ContactListParams,
  ContactUpdateParams,
  Deleted,
  Import,
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

  /**
   * Deletes a contact. `{ erase: true }` erases its personal data everywhere (emails, replies,
   * events that name it), keeps the campaigns' figures, and keeps its address suppressed as a
   * digest only: it is never emailed again.
   */
  async delete(id: string, params?: { erase?: boolean }, options?: RequestOptions): Promise<Deleted> {
    const query = params?.erase === undefined ? {} : { query: { erase: String(params.erase) } };
    return (await this.http.rest<Deleted>("DELETE", `/v1/contacts/${segment(id)}`, query, options)).data;
  }

  /**
   * Everything held about a contact: its fields, enrolments, every email with the subject and
   * body sent, every event of its emails and the suppressions covering its address. Recorded
   * on the server as a `contact.exported` event.
   */
  async export(id: string, options?: RequestOptions): Promise<ContactExport> {
    return (await this.http.rest<ContactExport>("GET", `/v1/contacts/${segment(id)}/export`, {}, options)).data;
  }

  /**
   * Creates up to 1000 contacts in one request. Each succeeds or fails on its own: read
   * `results[i].success` (and `error`) rather than expecting an exception.
   */
  async createMany(contacts: ContactBatchItem[], options?: RequestOptions): Promise<ContactBatchResult> {
    return (await this.http.rest<ContactBatchResult>("POST", "/v1/contacts/batch", { body: { contacts } }, options)).data;
  }

  /**
   * Starts importing a CSV file (`POST /v1/contacts/import`): its text, or its bytes as a
   * `Uint8Array` or a `Blob` (UTF-8 or Latin-1; `,`, `;` or tab; a header row; at most 100 000
   * rows and 20 MB). Headers map to fields by name unless `mapping` says otherwise
   * (`{ 'E-mail': 'email', Plan: 'customFields.plan', Notes: 'ignore' }`); `groupId` puts every
   * imported contact in a group; `duplicates: 'update'` updates the contacts whose email exists
   * (default `'skip'`). A file the server cannot read as a whole (no email column, an unknown
   * mapping target) throws a `ValidationError`.
   *
   * Answers the import as queued: the server works through it in the background. Follow it
   * with `client.imports.wait(imp.id)` (or `client.imports.get`).
   */
  async import(csv: ContactImportBody, params: ContactImportParams = {}, options?: RequestOptions): Promise<Import> {
    const { mapping, ...rest } = params;
    const query = { ...rest, mapping: mapping === undefined ? undefined : JSON.stringify(mapping) };
    const raw = { data: csv, contentType: "text/csv" };
    return (await this.http.rest<Import>("POST", "/v1/contacts/import", { query, raw }, options)).data;
  }
}
