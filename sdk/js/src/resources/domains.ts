import type { Page, RequestOptions } from "../core.js";
import type { DkimKeyCreateParams, DkimKeyCreated, Domain, DomainListParams } from "../types.js";
import { Resource, collect, segment } from "./base.js";

/**
 * `/v1/domains`: the workspace's sending domains (its email accounts' From domains), their
 * DNS checks (MX, SPF, DKIM, DMARC and the providers' verdicts) and FluenzR's DKIM keys.
 */
export class Domains extends Resource {
  /** One page of the sending domains, as last checked. */
  list(params?: DomainListParams, options?: RequestOptions): Promise<Page<Domain>> {
    return this.http.page("/v1/domains", params, options);
  }

  /** Every sending domain, fetched page by page as you iterate. */
  iterate(params?: DomainListParams, options?: RequestOptions): AsyncGenerator<Domain, void, undefined> {
    return this.http.paginate("/v1/domains", params, options);
  }

  /** Every sending domain, in one array. */
  listAll(params?: DomainListParams, options?: RequestOptions): Promise<Domain[]> {
    return collect(this.iterate(params, options));
  }

  /** A sending domain as last checked (checked against DNS now if it never was). */
  async get(name: string, options?: RequestOptions): Promise<Domain> {
    return (await this.http.rest<Domain>("GET", domainPath(name), {}, options)).data;
  }

  /** Checks the domain against DNS now and answers what was found. */
  async check(name: string, options?: RequestOptions): Promise<Domain> {
    return (await this.http.rest<Domain>("POST", `${domainPath(name)}/check`, {}, options)).data;
  }

  /**
   * Makes a DKIM key (`algorithm` `rsa-2048` by default, or `ed25519`; `selector` `fluenzr` by
   * default) and answers it with the TXT record to publish: it stays `pending` until a check
   * finds that record. A domain has at most 5 keys; a selector it already has is a 409.
   */
  async createDkimKey(name: string, params?: DkimKeyCreateParams, options?: RequestOptions): Promise<DkimKeyCreated> {
    const body: DkimKeyCreateParams = params ?? {};
    return (await this.http.rest<DkimKeyCreated>("POST", `${domainPath(name)}/dkim`, { body }, options)).data;
  }

  /** Signs the domain's email with this key from now on; a key not yet published is a 409. */
  async activateDkimKey(name: string, selector: string, options?: RequestOptions): Promise<Domain> {
    const path = `${dkimPath(name, selector)}/activate`;
    return (await this.http.rest<Domain>("POST", path, {}, options)).data;
  }

  /** Deletes a DKIM key (the next published key signs, if any) and answers the domain. */
  async deleteDkimKey(name: string, selector: string, options?: RequestOptions): Promise<Domain> {
    return (await this.http.rest<Domain>("DELETE", dkimPath(name, selector), {}, options)).data;
  }
}

function domainPath(name: string): string {
  return `/v1/domains/${segment(name)}`;
}

function dkimPath(name: string, selector: string): string {
  return `${domainPath(name)}/dkim/${segment(selector)}`;
}
