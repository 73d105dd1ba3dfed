import {
  ConflictError,
  ConnectionError,
  FluenzrError,
  RateLimitError,
  TimeoutError,
  apiError,
} from "./errors.js";
import { isServerRuntime, randomToken, sleep } from "./runtime.js";
import type { ErrorDetails, JsonValue, ListMeta } from "./types.js";
import { VERSION } from "./version.js";

/** Per-call settings; each overrides the client's. */
export interface RequestOptions {
  /**
   * The `Idempotency-Key` of a write. By default every POST, PUT and DELETE gets a fresh one
   * per call, reused by that call's retries; pass your own to make a retry across processes
   * (a re-run job) safe too.
   */
  idempotencyKey?: string;
  /** Milliseconds to wait for each attempt's answer. */
  timeout?: number;
  /** How many times to retry a failed attempt (429, 5xx, connection failures). */
  maxRetries?: number;
  /** Cancels the call, including any wait between retries. */
  signal?: AbortSignal;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

/** A page of a list: the items, with the list's `meta` as a property. */
export type Page<T> = T[] & { meta: ListMeta };

/** A query string's values; `undefined` and `null` ones are left out. */
export type Query = { [key: string]: string | number | boolean | null | undefined };

export type Method = "GET" | "POST" | "PUT" | "DELETE";

export interface HttpSettings {
  apiKey: string;
  baseUrl: string;
  timeout: number;
  maxRetries: number;
  fetch: typeof fetch;
  headers: Record<string, string>;
}

/** A request body sent as it is rather than as JSON (a CSV file), with its media type. */
export interface RawBody {
  data: string | Uint8Array | Blob;
  contentType: string;
}

/** What a request sends: a query string, and a JSON body or a raw one. */
export interface CallInit {
  query?: Query | undefined;
  body?: unknown;
  raw?: RawBody | undefined;
  /** A POST that only reads (a GraphQL query): no `Idempotency-Key` unless the caller gives one. */
  read?: boolean;
}

/** A parsed answer, before it is judged a success or an error. */
interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** Turns an answer that is not a success into the error to throw, or `undefined` for a success. */
type ErrorReader = (answer: Answer) => FluenzrError | undefined;

/** Longest `Retry-After` the SDK waits out by itself; a longer one is thrown to the caller. */
const MAX_RETRY_AFTER_SECONDS = 60;
const INITIAL_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 8_000;

/** Sends requests: auth, JSON, idempotency keys, timeouts and retries. */
export class HttpClient {
  constructor(private readonly settings: HttpSettings) {}

  /** A REST call: answers the envelope's `data` (and `meta`), or throws its error. */
  async rest<T>(
    method: Method,
    path: string,
    init: CallInit = {},
    options: RequestOptions = {},
  ): Promise<{ data: T; meta: ListMeta | undefined }> {
    const answer = await this.send(method, path, init, options, restError);
    const envelope = answer.body as { data: T; meta?: ListMeta };
    return { data: envelope.data, meta: envelope.meta };
  }

  /**
   * A POST to `/graphql`: answers `data`, or throws the first of `errors`. Only a mutation
   * carries an `Idempotency-Key`: a query changes nothing, and the server would otherwise
   * store its answer for a day.
   */
  async graphql<T>(query: string, variables: { [key: string]: unknown } | undefined, options: RequestOptions = {}): Promise<T> {
    const body = variables === undefined ? { query } : { query, variables };
    const read = operationType(query) === "query";
    const answer = await this.send("POST", "/graphql", { body, read }, options, graphqlError);
    return (answer.body as { data: T }).data;
  }

  /** One page of a list, as an array carrying `meta`. */
  async page<T>(path: string, query: Query | undefined, options?: RequestOptions): Promise<Page<T>> {
    const { data, meta } = await this.rest<T[]>("GET", path, { query }, options);
    if (!Array.isArray(data) || meta === undefined) {
      throw new FluenzrError({ code: "INTERNAL_ERROR", message: `GET ${path} did not answer a list` });
    }
    return Object.assign(data, { meta });
  }

  /**
   * Every item of a list, page after page (100 a page unless `perPage` says otherwise), starting
   * at `page` or `cursor` (default the first page). After the first page each one is asked for
   * by the cursor the page before gave (`meta.nextCursor`): a deep page costs the server what
   * the first does, nothing is repeated or skipped when rows are added meanwhile, and only one
   * page is held at a time.
   */
  async *paginate<T>(path: string, query: Query | undefined, options?: RequestOptions): AsyncGenerator<T, void, undefined> {
    const perPage = query?.["perPage"] ?? 100;
    let next: Query = { ...query, perPage };
    for (;;) {
      const items = await this.page<T>(path, next, options);
      yield* items;
      const cursor = items.meta.nextCursor;
      if (cursor === null || cursor === undefined) return;
      const { page: _page, ...rest } = next;
      next = { ...rest, cursor };
    }
  }

  private url(path: string, query: Query | undefined): string {
    const url = new URL(this.settings.baseUrl + path);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
    }
    return url.toString();
  }

  private async send(
    method: Method,
    path: string,
    init: CallInit,
    options: RequestOptions,
    readError: ErrorReader,
  ): Promise<Answer> {
    const maxRetries = options.maxRetries ?? this.settings.maxRetries;
    const timeout = options.timeout ?? this.settings.timeout;
    const headers: Record<string, string> = {
      accept: "application/json",
      authorization: `Bearer ${this.settings.apiKey}`,
      ...(isServerRuntime() ? { "user-agent": `fluenzr-js/${VERSION}` } : {}),
      ...lowerCaseNames(this.settings.headers),
      ...lowerCaseNames(options.headers),
    };
    // Serialised once: a retry must send the very same bytes, or the server refuses the key.
    let body: SentBody | undefined;
    if (init.raw !== undefined) {
      body = await frozen(init.raw.data);
      headers["content-type"] = init.raw.contentType;
    } else if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers["content-type"] = "application/json";
    }
    // One key per call, shared by its retries: the server runs the write once and replays
    // its answer to any retry, so a lost answer can never create twice.
    if (method !== "GET" && !init.read) {
      headers["idempotency-key"] = options.idempotencyKey ?? headers["idempotency-key"] ?? `sdk_${await randomToken()}`;
    } else if (options.idempotencyKey !== undefined) {
      headers["idempotency-key"] = options.idempotencyKey;
    }
    const url = this.url(path, init.query);

    for (let attempt = 0; ; attempt++) {
      let error: FluenzrError;
      try {
        const answer = await this.attempt(url, { method, headers, body }, timeout, options.signal);
        const failure = readError(answer);
        if (failure === undefined) return answer;
        error = failure;
      } catch (thrown) {
        if (!(thrown instanceof ConnectionError)) throw thrown;
        error = thrown;
      }
      const delay = retryDelay(error, attempt);
      if (attempt >= maxRetries || delay === undefined) throw error;
      await sleep(delay, options.signal);
    }
  }

  /** One HTTP exchange; connection failures and timeouts become `ConnectionError`s. */
  private async attempt(
    url: string,
    init: { method: Method; headers: Record<string, string>; body: SentBody | undefined },
    timeout: number,
    signal: AbortSignal | undefined,
  ): Promise<Answer> {
    signal?.throwIfAborted();
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeout);
    const cancel = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", cancel, { once: true });
    try {
      const response = await this.settings.fetch(url, { ...init, signal: controller.signal });
      // The body is read under the same deadline: a connection cut mid-answer is a failure too.
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: parseJson(text) };
    } catch (thrown) {
      if (signal?.aborted) throw signal.reason;
      if (timedOut) {
        throw new TimeoutError({ code: "TIMEOUT", message: `No answer within ${timeout} ms`, cause: thrown });
      }
      throw new ConnectionError({
        code: "CONNECTION_ERROR",
        message: `Could not reach ${new URL(url).origin}: ${describe(thrown)}`,
        cause: thrown,
      });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", cancel);
    }
  }
}

/** A body as sent: text, or bytes of the SDK's own that no caller can change between retries. */
type SentBody = string | Uint8Array<ArrayBuffer>;

/** A raw body as the SDK keeps it for every attempt: a string as it is, bytes copied once. */
async function frozen(data: string | Uint8Array | Blob): Promise<SentBody> {
  if (typeof data === "string") return data;
  if (data instanceof Uint8Array) return new Uint8Array(data);
  if (typeof Blob !== "undefined" && data instanceof Blob) return new Uint8Array(await data.arrayBuffer());
  throw new TypeError("A body must be a string, a Uint8Array or a Blob");
}

/**
 * How long to wait before retrying after `error`, or `undefined` when it must not be retried.
 * Retried: connection failures and timeouts, 408, 429 and 5xx, and the 409 the server answers
 * while the first attempt of the same idempotent write is still running.
 */
function retryDelay(error: FluenzrError, attempt: number): number | undefined {
  const backoff = Math.min(INITIAL_BACKOFF_MS * 2 ** attempt, MAX_BACKOFF_MS) * (0.75 + Math.random() * 0.25);
  if (error instanceof ConnectionError) return backoff;
  if (error instanceof RateLimitError) {
    if (error.retryAfter === undefined) return backoff;
    return error.retryAfter > MAX_RETRY_AFTER_SECONDS ? undefined : error.retryAfter * 1000;
  }
  const status = error.status ?? 0;
  if (status >= 500) return backoff;
  if (error instanceof ConflictError && error.details["idempotencyKey"] !== undefined) return backoff;
  return undefined;
}

/** Header names in lower case, so that a caller's `Idempotency-Key` replaces ours rather than joining it. */
function lowerCaseNames(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value;
  return out;
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function describe(thrown: unknown): string {
  if (thrown instanceof Error) {
    const cause = thrown.cause instanceof Error ? `: ${thrown.cause.message}` : "";
    return `${thrown.message}${cause}`;
  }
  return String(thrown);
}

function isObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Only scalars and lists of scalars, as the API's `details` hold. */
function toDetails(value: unknown): ErrorDetails | undefined {
  if (!isObject(value)) return undefined;
  const details: ErrorDetails = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === null || ["string", "number", "boolean"].includes(typeof item)) {
      details[key] = item as string | number | boolean | null;
    } else if (Array.isArray(item)) {
      details[key] = item.filter((x) => x === null || typeof x !== "object") as (string | number | boolean | null)[];
    }
  }
  return details;
}

/** An answer without a body a client can read: the status alone says what happened. */
function statusError(answer: Answer, what: string): FluenzrError {
  if (answer.status === 408) {
    return new TimeoutError({
      code: "TIMEOUT",
      status: 408,
      message: "The server gave up on the request (408)",
      requestId: answer.headers.get("request-id") ?? undefined,
      headers: answer.headers,
    });
  }
  const text = typeof answer.body === "string" ? `: ${answer.body.slice(0, 200)}` : "";
  return apiError({
    status: answer.status,
    message: `HTTP ${answer.status} without ${what}${text}`,
    requestId: answer.headers.get("request-id") ?? undefined,
    headers: answer.headers,
  });
}

/** `{success: false, error: {code, message, details}}` → the matching error class. */
function restError(answer: Answer): FluenzrError | undefined {
  const body = answer.body;
  if (!isObject(body) || typeof body["success"] !== "boolean") {
    return statusError(answer, "a FluenzR envelope");
  }
  if (body["success"] === true && answer.status < 300) return undefined;
  const error = isObject(body["error"]) ? body["error"] : {};
  return apiError({
    status: answer.status,
    code: typeof error["code"] === "string" ? error["code"] : undefined,
    message: typeof error["message"] === "string" ? error["message"] : undefined,
    details: toDetails(error["details"]),
    requestId: answer.headers.get("request-id") ?? undefined,
    headers: answer.headers,
  });
}

/** `{data, errors: [{message, extensions: {code, details}}]}` → the first error's class. */
/**
 * The type of the operation a GraphQL document runs (its first operation; a document naming
 * several runs one chosen by name, and any of them may write, so such a document counts as a
 * mutation unless all are queries): `query` (also the `{ … }` shorthand), `mutation` or
 * `subscription`. Comments and strings are skipped; a document that cannot be read counts as
 * a mutation, so it keeps its key.
 */
export function operationType(document: string): "query" | "mutation" | "subscription" {
  const types: string[] = [];
  let depth = 0;
  let i = 0;
  while (i < document.length) {
    const c = document[i]!;
    if (c === "#") {
      while (i < document.length && document[i] !== "\n" && document[i] !== "\r") i++;
    } else if (c === '"') {
      if (document.startsWith('"""', i)) {
        const end = document.indexOf('"""', i + 3);
        if (end < 0) return "mutation";
        i = end + 3;
      } else {
        i++;
        while (i < document.length && document[i] !== '"') i += document[i] === "\\" ? 2 : 1;
        i++;
      }
    } else if (c === "{") {
      if (depth === 0) types.push("query");
      depth++;
      i++;
    } else if (c === "}") {
      depth--;
      i++;
    } else if (depth === 0 && /[A-Za-z_]/.test(c)) {
      let end = i;
      while (end < document.length && /[A-Za-z0-9_]/.test(document[end]!)) end++;
      const word = document.slice(i, end);
      i = end;
      // The next `{` at depth 0 opens this definition's selection set.
      if (word === "query" || word === "mutation" || word === "subscription" || word === "fragment") {
        let open = i;
        let parens = 0;
        while (open < document.length && (parens > 0 || document[open] !== "{")) {
          if (document[open] === "(") parens++;
          else if (document[open] === ")") parens--;
          open++;
        }
        if (word !== "fragment") types.push(word);
        i = open + 1;
        depth = 1;
      }
    } else {
      i++;
    }
  }
  if (types.length === 0 || depth !== 0) return "mutation";
  if (types.every((t) => t === "query")) return "query";
  return types.includes("mutation") ? "mutation" : "subscription";
}

function graphqlError(answer: Answer): FluenzrError | undefined {
  const body = answer.body;
  if (!isObject(body)) return statusError(answer, "a GraphQL answer");
  const errors = Array.isArray(body["errors"]) ? body["errors"].filter(isObject) : [];
  const first = errors[0];
  if (first === undefined) {
    return answer.status < 300 ? undefined : statusError(answer, "GraphQL errors");
  }
  const extensions = isObject(first["extensions"]) ? first["extensions"] : {};
  const path = Array.isArray(first["path"]) ? (first["path"] as JsonValue[]).map(String) : undefined;
  const details: ErrorDetails = {
    ...toDetails(extensions["details"]),
    ...(typeof extensions["classification"] === "string" ? { classification: extensions["classification"] } : {}),
    ...(path ? { path } : {}),
  };
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
  return apiError({
    // GraphQL answers 200 for errors in fields; their code gives the status.
    status: answer.status >= 300 ? answer.status : undefined,
    code: typeof extensions["code"] === "string" ? extensions["code"] : undefined,
    message: `${typeof first["message"] === "string" ? first["message"] : "GraphQL error"}${more}`,
    details,
    requestId: answer.headers.get("request-id") ?? undefined,
    headers: answer.headers,
  });
}
