import type { Page, RequestOptions } from "../core.js";
import type {
  Deleted,
  Suppression,
  SuppressionAddParams,
  SuppressionInput,
  SuppressionListParams,
  SuppressionsAdded,
} from "../types.js";
import { Resource, collect, segment } from "./base.js";

/** `/v1/suppressions`: addresses and domains the workspace never emails. */
export class Suppressions extends Resource {
  list(params?: SuppressionListParams, options?: RequestOptions): Promise<Page<Suppression>> {
    return this.http.page("/v1/suppressions", params, options);
  }

  /** Every suppression, fetched page by page as you iterate. */
  iterate(params?: SuppressionListParams, options?: RequestOptions): AsyncGenerator<Suppression, void, undefined> {
    return this.http.paginate("/v1/suppressions", params, options);
  }

  /** Every suppression, in one array. */
  listAll(params?: SuppressionListParams, options?: RequestOptions): Promise<Suppression[]> {
    return collect(this.iterate(params, options));
  }

  /**
   * Suppresses one address or domain (`source` defaults to `manual`); one already suppressed
   * is kept as it is.
   */
  async add(params: SuppressionInput, options?: RequestOptions): Promise<SuppressionsAdded> {
    const { kind, value, source } = params;
    const body: SuppressionAddParams = source == null ? { kind, value } : { kind, value, source };
    return (await this.http.rest<SuppressionsAdded>("POST", "/v1/suppressions", { body }, options)).data;
  }

  /** Up to 10 000 in one transaction: one invalid item refuses them all (nothing is written). */
  async addMany(items: SuppressionInput[], options?: RequestOptions): Promise<SuppressionsAdded> {
    const body: SuppressionAddParams = { items };
    return (await this.http.rest<SuppressionsAdded>("POST", "/v1/suppressions", { body }, options)).data;
  }

  /** Deletes a suppression, saying why (logged as a `suppression.deleted` event). */
  async delete(id: string, reason: string, options?: RequestOptions): Promise<Deleted> {
    const path = `/v1/suppressions/${segment(id)}`;
    return (await this.http.rest<Deleted>("DELETE", path, { query: { reason } }, options)).data;
  }
}
