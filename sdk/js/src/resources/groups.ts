import type { Page, RequestOptions } from "../core.js";
import type {
  Contact,
  Deleted,
  Group,
  GroupContactListParams,
  GroupContactsAdded,
  GroupContactsParams,
  GroupContactsRemoved,
  GroupCreateParams,
  GroupListParams,
  GroupUpdateParams,
} from "../types.js";
import { Resource, collect, segment } from "./base.js";

/** `/v1/groups`: named sets of contacts, with their `contactCount`. */
export class Groups extends Resource {
  /** One page of groups (filter `name`; `sort`, `order`). */
  list(params?: GroupListParams, options?: RequestOptions): Promise<Page<Group>> {
    return this.http.page("/v1/groups", params, options);
  }

  /** Every group matching `params`, fetched page by page as you iterate. */
  iterate(params?: GroupListParams, options?: RequestOptions): AsyncGenerator<Group, void, undefined> {
    return this.http.paginate("/v1/groups", params, options);
  }

  /** Every group matching `params`, in one array. */
  listAll(params?: GroupListParams, options?: RequestOptions): Promise<Group[]> {
    return collect(this.iterate(params, options));
  }

  async get(id: string, options?: RequestOptions): Promise<Group> {
    return (await this.http.rest<Group>("GET", `/v1/groups/${segment(id)}`, {}, options)).data;
  }

  async create(params: GroupCreateParams, options?: RequestOptions): Promise<Group> {
    return (await this.http.rest<Group>("POST", "/v1/groups", { body: params }, options)).data;
  }

  async update(id: string, params: GroupUpdateParams, options?: RequestOptions): Promise<Group> {
    return (await this.http.rest<Group>("PUT", `/v1/groups/${segment(id)}`, { body: params }, options)).data;
  }

  /** Deletes the group; its contacts stay. */
  async delete(id: string, options?: RequestOptions): Promise<Deleted> {
    return (await this.http.rest<Deleted>("DELETE", `/v1/groups/${segment(id)}`, {}, options)).data;
  }

  /** One page of the group's members. */
  listContacts(id: string, params?: GroupContactListParams, options?: RequestOptions): Promise<Page<Contact>> {
    return this.http.page(`/v1/groups/${segment(id)}/contacts`, params, options);
  }

  /** Every member of the group, fetched page by page as you iterate. */
  iterateContacts(id: string, params?: GroupContactListParams, options?: RequestOptions): AsyncGenerator<Contact, void, undefined> {
    return this.http.paginate(`/v1/groups/${segment(id)}/contacts`, params, options);
  }

  /** Adds contacts (idempotent: members already in count as `alreadyMembers`); unknown ids are a 400 naming them. */
  async addContacts(id: string, params: GroupContactsParams, options?: RequestOptions): Promise<GroupContactsAdded> {
    return (await this.http.rest<GroupContactsAdded>("POST", `/v1/groups/${segment(id)}/contacts`, { body: params }, options)).data;
  }

  /** Removes contacts from the group (the contacts themselves stay). */
  async removeContacts(id: string, params: GroupContactsParams, options?: RequestOptions): Promise<GroupContactsRemoved> {
    return (await this.http.rest<GroupContactsRemoved>("DELETE", `/v1/groups/${segment(id)}/contacts`, { body: params }, options)).data;
  }
}
