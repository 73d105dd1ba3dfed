import type { ErrorCode, ErrorDetails } from "./types.js";

/** Codes the SDK itself uses where no API answer exists. */
export type ClientErrorCode = "CONNECTION_ERROR" | "TIMEOUT" | "INVALID_SIGNATURE";

/** Every error this SDK throws is a `FluenzrError`; `instanceof` a subclass narrows the family. */
export class FluenzrError extends Error {
  /** The API's error code (`VALIDATION_ERROR`, `NOT_FOUND`, …) or one of the SDK's own. */
  readonly code: ErrorCode | ClientErrorCode;
  /** HTTP status, absent when no answer came back. */
  readonly status: number | undefined;
  /** The envelope's `details` (always `requestId`; often `field`). */
  readonly details: ErrorDetails;
  /** The `Request-Id` of the failed request: quote it when asking for support. */
  readonly requestId: string | undefined;
  /** Response headers, when there was a response. */
  readonly headers: Headers | undefined;

  constructor(init: {
    code: ErrorCode | ClientErrorCode;
    message: string;
    status?: number | undefined;
    details?: ErrorDetails | undefined;
    requestId?: string | undefined;
    headers?: Headers | undefined;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.code = init.code;
    this.status = init.status;
    this.requestId = init.requestId ?? stringDetail(init.details, "requestId");
    this.details = { ...(this.requestId ? { requestId: this.requestId } : {}), ...init.details };
    this.headers = init.headers;
  }
}

/** 400: the request was refused as written (`VALIDATION_ERROR`, `BAD_REQUEST`). */
export class ValidationError extends FluenzrError {}
/** 401: missing, invalid or revoked API key (`UNAUTHENTICATED`). */
export class AuthenticationError extends FluenzrError {}
/** 403: not allowed, or the workspace's plan does not include the API (`FORBIDDEN`, `PLAN_REQUIRED`). */
export class PermissionError extends FluenzrError {}
/** 404: no such resource in this workspace (`NOT_FOUND`). */
export class NotFoundError extends FluenzrError {}
/** 409: duplicate, or a state change that is not allowed now (`CONFLICT`), or making a contact at a suppressed address active (`SUPPRESSED`). */
export class ConflictError extends FluenzrError {}
/** 429: too many requests (`RATE_LIMITED`); `retryAfter` says how long to wait. */
export class RateLimitError extends FluenzrError {
  /** Seconds to wait before retrying (the `Retry-After` header), when the server said. */
  readonly retryAfter: number | undefined;

  constructor(init: ConstructorParameters<typeof FluenzrError>[0] & { retryAfter?: number | undefined }) {
    super(init);
    this.retryAfter = init.retryAfter;
  }
}
/** 5xx: the server failed (`INTERNAL_ERROR`); safe to retry, and the SDK already did. */
export class ServerError extends FluenzrError {}
/** No answer: the connection failed or was cut before a response arrived. */
export class ConnectionError extends FluenzrError {}
/** No answer within the configured `timeout`. */
export class TimeoutError extends ConnectionError {}
/** A webhook delivery whose signature, timestamp or headers do not check out. */
export class WebhookVerificationError extends FluenzrError {}

/** The HTTP status each API code is answered with (the server's own table). */
const CODE_STATUS: Record<ErrorCode, number> = {
  VALIDATION_ERROR: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  PLAN_REQUIRED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  SUPPRESSED: 409,
  DOMAIN_NOT_AUTHENTICATED: 409,
  PAYLOAD_TOO_LARGE: 413,
  QUOTA_EXCEEDED: 413,
  REQUEST_TIMEOUT: 408,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
};

/** The code a status stands for when an answer carries no envelope (a proxy's 502 page). */
function codeForStatus(status: number): ErrorCode {
  if (status >= 500) return "INTERNAL_ERROR";
  const found = (Object.keys(CODE_STATUS) as ErrorCode[]).find((code) => CODE_STATUS[code] === status);
  return found ?? "BAD_REQUEST";
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(CODE_STATUS, value);
}

function classFor(status: number): typeof FluenzrError {
  if (status === 400) return ValidationError;
  if (status === 401) return AuthenticationError;
  if (status === 403) return PermissionError;
  if (status === 404) return NotFoundError;
  if (status === 409) return ConflictError;
  if (status >= 500) return ServerError;
  return FluenzrError;
}

/**
 * Builds the error for a failed API answer. `code` falls back to the status's code when the
 * body was not an envelope; `status` falls back to the code's status (GraphQL answers 200).
 */
export function apiError(init: {
  status?: number | undefined;
  code?: string | undefined;
  message?: string | undefined;
  details?: ErrorDetails | undefined;
  requestId?: string | undefined;
  headers?: Headers | undefined;
}): FluenzrError {
  const code: ErrorCode = isErrorCode(init.code)
    ? init.code
    : codeForStatus(init.status ?? 500);
  const status = init.status ?? CODE_STATUS[code];
  const message = init.message ?? `HTTP ${status}`;
  const common = {
    code,
    message,
    status,
    details: init.details,
    requestId: init.requestId,
    headers: init.headers,
  };
  if (status === 429) {
    return new RateLimitError({ ...common, retryAfter: parseRetryAfter(init.headers?.get("retry-after")) });
  }
  const ErrorClass = classFor(status);
  return new ErrorClass(common);
}

/** `Retry-After` as seconds: either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined): number | undefined {
  if (value == null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function stringDetail(details: ErrorDetails | undefined, key: string): string | undefined {
  const value = details?.[key];
  return typeof value === "string" ? value : undefined;
}
