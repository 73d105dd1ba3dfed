import type { Page, RequestOptions } from "../core.js";
import type {
  Deleted,
  Webhook,
  WebhookCreateParams,
  WebhookDelivery,
  WebhookDeliveryListParams,
  WebhookListParams,
  WebhookTestResult,
  WebhookUpdateParams,
  WebhookWithSecret,
} from "../types.js";
import {
  type WebhookEvent,
  type WebhookHeaders,
  type WebhookPayload,
  type WebhookVerifyOptions,
  verifyWebhook,
} from "../webhook-signature.js";
import { Resource, collect, segment } from "./base.js";

/** `/v1/webhooks`: endpoints that receive signed events. */
export class Webhooks extends Resource {
  list(params?: WebhookListParams, options?: RequestOptions): Promise<Page<Webhook>> {
    return this.http.page("/v1/webhooks", params, options);
  }

  /** Every webhook, fetched page by page as you iterate. */
  iterate(params?: WebhookListParams, options?: RequestOptions): AsyncGenerator<Webhook, void, undefined> {
    return this.http.paginate("/v1/webhooks", params, options);
  }

  /** Every webhook, in one array. */
  listAll(params?: WebhookListParams, options?: RequestOptions): Promise<Webhook[]> {
    return collect(this.iterate(params, options));
  }

  async get(id: string, options?: RequestOptions): Promise<Webhook> {
    return (await this.http.rest<Webhook>("GET", `/v1/webhooks/${segment(id)}`, {}, options)).data;
  }

  /** Subscribes an endpoint; the answer carries its signing `secret`, shown only this once. */
  async create(params: WebhookCreateParams, options?: RequestOptions): Promise<WebhookWithSecret> {
    return (await this.http.rest<WebhookWithSecret>("POST", "/v1/webhooks", { body: params }, options)).data;
  }

  /** `active: true` re-enables a disabled endpoint. */
  async update(id: string, params: WebhookUpdateParams, options?: RequestOptions): Promise<Webhook> {
    return (await this.http.rest<Webhook>("PUT", `/v1/webhooks/${segment(id)}`, { body: params }, options)).data;
  }

  async delete(id: string, options?: RequestOptions): Promise<Deleted> {
    return (await this.http.rest<Deleted>("DELETE", `/v1/webhooks/${segment(id)}`, {}, options)).data;
  }

  /** Queues a `webhook.test` event to this endpoint; answers its event id. */
  async test(id: string, options?: RequestOptions): Promise<WebhookTestResult> {
    return (await this.http.rest<WebhookTestResult>("POST", `/v1/webhooks/${segment(id)}/test`, {}, options)).data;
  }

  /** A new signing secret (in the answer); the old one keeps signing too for 24 hours. */
  async rotateSecret(id: string, options?: RequestOptions): Promise<WebhookWithSecret> {
    return (await this.http.rest<WebhookWithSecret>("POST", `/v1/webhooks/${segment(id)}/rotate-secret`, {}, options)).data;
  }

  /** One page of delivery attempts, newest first: event, attempt, status code, error, duration. */
  deliveries(id: string, params?: WebhookDeliveryListParams, options?: RequestOptions): Promise<Page<WebhookDelivery>> {
    return this.http.page(`/v1/webhooks/${segment(id)}/deliveries`, params, options);
  }

  /** Every delivery attempt of the endpoint, fetched page by page as you iterate. */
  iterateDeliveries(id: string, params?: WebhookDeliveryListParams, options?: RequestOptions): AsyncGenerator<WebhookDelivery, void, undefined> {
    return this.http.paginate(`/v1/webhooks/${segment(id)}/deliveries`, params, options);
  }

  /** Checks a delivery's signature and returns its event: see `verifyWebhook`. */
  verify(payload: WebhookPayload, headers: WebhookHeaders, secret: string, options?: WebhookVerifyOptions): Promise<WebhookEvent> {
    return verifyWebhook(payload, headers, secret, options);
  }
}
