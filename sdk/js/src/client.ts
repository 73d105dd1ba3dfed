import { HttpClient, type RequestOptions } from "./core.js";
import { AuthenticationError } from "./errors.js";
import { Campaigns } from "./resources/campaigns.js";
import { Contacts } from "./resources/contacts.js";
import { Domains } from "./resources/domains.js";
import { EmailAccounts } from "./resources/email-accounts.js";
import { Groups } from "./resources/groups.js";
import { Imports } from "./resources/imports.js";
import { Messages } from "./resources/messages.js";
import { Suppressions } from "./resources/suppressions.js";
import { Inbox } from "./resources/inbox.js";
import { Webhooks } from "./resources/webhooks.js";
import { readEnv } from "./runtime.js";
import type { JsonValue } from "./types.js";
import { verifyWebhook } from "./webhook-signature.js";

export interface ClientOptions {
  /** A Pro workspace's API key (`fz_live_…`). Default: `FLUENZR_API_KEY`. */
  apiKey?: string | undefined;
  /**
   * The server's address, e.g. `https://api.fluenzr.co`. Default: `FLUENZR_BASE_URL`, else
   * `http://127.0.0.1:8080`. A trailing `/v1` is accepted and ignored.
   */
  baseUrl?: string | undefined;
  /** Milliseconds to wait for each attempt's answer (default 60 000). */
  timeout?: number | undefined;
  /** Retries after a 429, a 5xx or a connection failure (default 2). */
  maxRetries?: number | undefined;
  /** Headers sent with every request. */
  defaultHeaders?: Record<string, string> | undefined;
  /** The `fetch` to use (default: the global one). */
  fetch?: typeof fetch | undefined;
}

const DEFAULT_BASE_URL = "http://127.0.0.1:8080";
const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_RETRIES = 2;

/**
 * The FluenzR API client.
 *
 * ```ts
 * const client = new FluenzrClient({ apiKey: 'your-api-key' });
 * const contacts = await client.contacts.list();
 * ```
 */
export class FluenzrClient {
  /** Webhook signature checks, usable without a client (no API key needed). */
  static readonly webhooks = { verify: verifyWebhook } as const;

  readonly contacts: Contacts;
  /** CSV imports started with `contacts.import`: `get`, and `wait` until one is done. */
  readonly imports: Imports;
  readonly groups: Groups;
  readonly emailAccounts: EmailAccounts;
  readonly campaigns: Campaigns;
  readonly webhooks: Webhooks;
  /** Addresses and domains the workspace never emails. */
  readonly suppressions: Suppressions;
  readonly inbox: Inbox;
  /** The sending domains: their DNS checks and DKIM keys. */
  readonly domains: Domains;
  readonly messages: Messages;
  /** The server address requests go to. */
  readonly baseUrl: string;

  readonly #http: HttpClient;

  constructor(options: ClientOptions = {}) {
    const apiKey = options.apiKey ?? readEnv("FLUENZR_API_KEY");
    if (!apiKey) {
      throw new AuthenticationError({
        code: "UNAUTHENTICATED",
        message: "No API key: pass new FluenzrClient({ apiKey }) or set FLUENZR_API_KEY",
      });
    }
    this.baseUrl = normaliseBaseUrl(options.baseUrl ?? readEnv("FLUENZR_BASE_URL") ?? DEFAULT_BASE_URL);
    const fetchImpl = options.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== "function") {
      throw new TypeError("No global fetch: use Node 18 or newer, or pass { fetch }");
    }
    this.#http = new HttpClient({
      apiKey,
      baseUrl: this.baseUrl,
      timeout: checked("timeout", options.timeout ?? DEFAULT_TIMEOUT_MS, 1),
      maxRetries: checked("maxRetries", options.maxRetries ?? DEFAULT_MAX_RETRIES, 0),
      // Called unbound: some runtimes refuse a fetch whose `this` is not the global object.
      fetch: (input, init) => fetchImpl(input, init),
      headers: { ...options.defaultHeaders },
    });
    this.contacts = new Contacts(this.#http);
    this.imports = new Imports(this.#http);
    this.groups = new Groups(this.#http);
    this.emailAccounts = new EmailAccounts(this.#http);
    this.campaigns = new Campaigns(this.#http);
    this.webhooks = new Webhooks(this.#http);
    this.suppressions = new Suppressions(this.#http);
    this.inbox = new Inbox(this.#http);
    this.domains = new Domains(this.#http);
    this.messages = new Messages(this.#http);
  }

  /**
   * Runs a GraphQL query or mutation (`POST /graphql`) and answers its `data`; an answer with
   * `errors` throws the first one as the matching error class (its `extensions.code`).
   */
  graphql<TData = { [key: string]: JsonValue }>(
    query: string,
    variables?: { [name: string]: unknown },
    options?: RequestOptions,
  ): Promise<TData> {
    return this.#http.graphql<TData>(query, variables, options);
  }
}

function normaliseBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError(`baseUrl is not a URL: ${raw}`);
  }
  return url.toString().replace(/\/+$/, "").replace(/\/v1$/, "");
}

function checked(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new TypeError(`${name} must be an integer ≥ ${min}`);
  return value;
}
