/**
 * Verifying webhook deliveries, per Standard Webhooks (https://www.standardwebhooks.com/):
 * `webhook-signature` holds space-separated `v1,<base64 HMAC-SHA256>` entries over
 * `"<webhook-id>.<webhook-timestamp>.<raw body>"`, keyed with the base64-decoded part of the
 * endpoint's `whsec_…` secret. During a secret rotation the server signs with both secrets.
 */
import { WebhookVerificationError } from "./errors.js";
import { getWebCrypto } from "./runtime.js";
import type { Campaign, Contact, JsonValue, WebhookEventType } from "./types.js";

/** The raw request body, exactly as received (parse it only after verifying). */
export type WebhookPayload = string | Uint8Array | ArrayBuffer;

/** Request headers: a fetch `Headers`, or a plain object such as Node's `req.headers`. */
export type WebhookHeaders = Headers | { [name: string]: string | string[] | undefined };

export interface WebhookVerifyOptions {
  /** Largest accepted distance between `webhook-timestamp` and now, in seconds (default 300). */
  tolerance?: number;
  /** The time to check against (default: now). */
  now?: Date;
}

interface EventOf<Type extends string, Data> {
  /** The event id (`evt_…`), also the `webhook-id` header: the same across retries. */
  id: string;
  type: Type;
  createdAt: string;
  workspaceId: string;
  data: Data;
}

/** A delivered event. `contact.*` carry the contact, `campaign.*` the campaign. */
export type WebhookEvent =
  | EventOf<Extract<WebhookEventType, `contact.${string}`>, Contact>
  | EventOf<Extract<WebhookEventType, `campaign.${string}`>, Campaign>
  | EventOf<Extract<WebhookEventType, `email.${string}`> | "webhook.test", { [key: string]: JsonValue }>;

const DEFAULT_TOLERANCE_SECONDS = 5 * 60;
const encoder = new TextEncoder();

/**
 * Checks a delivery's signature and timestamp and returns its parsed event; throws a
 * `WebhookVerificationError` saying what failed otherwise.
 *
 * ```ts
 * const event = await verifyWebhook(rawBody, req.headers, process.env.FLUENZR_WEBHOOK_SECRET);
 * ```
 */
export async function verifyWebhook(
  payload: WebhookPayload,
  headers: WebhookHeaders,
  secret: string,
  options: WebhookVerifyOptions = {},
): Promise<WebhookEvent> {
  const id = header(headers, "webhook-id");
  const timestamp = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !timestamp || !signatures) {
    throw invalid("Missing webhook-id, webhook-timestamp or webhook-signature header");
  }

  if (!/^\d+$/.test(timestamp)) throw invalid("Invalid webhook-timestamp");
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE_SECONDS;
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const sentAt = Number(timestamp);
  if (sentAt < now - tolerance) throw invalid("Message timestamp too old");
  if (sentAt > now + tolerance) throw invalid("Message timestamp too new");

  const body = bytesOf(payload);
  const signed = concat(encoder.encode(`${id}.${timestamp}.`), body);
  const expected = await hmacSha256(secretKey(secret), signed);

  let matched = false;
  for (const entry of signatures.split(" ")) {
    const [version, encoded] = entry.split(",", 2);
    if (version !== "v1" || encoded === undefined) continue;
    const candidate = decodeBase64(encoded);
    // Every entry is compared in full, so the time taken says nothing about which matched.
    if (candidate !== undefined && timingSafeEqual(candidate, expected)) matched = true;
  }
  if (!matched) throw invalid("No matching signature found");

  try {
    return JSON.parse(new TextDecoder().decode(body)) as WebhookEvent;
  } catch (cause) {
    throw invalid("The payload is not JSON", cause);
  }
}

function invalid(message: string, cause?: unknown): WebhookVerificationError {
  return new WebhookVerificationError({ code: "INVALID_SIGNATURE", message, cause });
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") {
    return (headers as Headers).get(name) ?? undefined;
  }
  for (const [key, value] of Object.entries(headers as { [name: string]: string | string[] | undefined })) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(" ") : value;
  }
  return undefined;
}

function bytesOf(payload: WebhookPayload): Uint8Array {
  if (typeof payload === "string") return encoder.encode(payload);
  if (payload instanceof Uint8Array) return payload;
  if (payload instanceof ArrayBuffer) return new Uint8Array(payload);
  // A parsed object cannot be verified: its bytes are not the ones that were signed.
  throw new TypeError("verifyWebhook needs the raw request body (a string or bytes), not parsed JSON");
}

function secretKey(secret: string): Uint8Array {
  const key = decodeBase64(secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret);
  if (key === undefined || key.length === 0) throw invalid("The webhook secret is not valid base64");
  return key;
}

async function hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const { subtle } = await getWebCrypto();
  const hmacKey = await subtle.importKey("raw", key as BufferSource, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await subtle.sign("HMAC", hmacKey, data as BufferSource));
}

function decodeBase64(text: string): Uint8Array | undefined {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Equal bytes, compared without an early exit. */
function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}
