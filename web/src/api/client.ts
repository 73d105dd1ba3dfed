/** Talks to the FluenzR server: GraphQL at /graphql and REST at /v1, with the session token. */

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: unknown;

  constructor(message: string, code: string, status: number, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

type Unauthenticated = (error: ApiError) => void;

let bearer: string | null = null;
let onUnauthenticated: Unauthenticated = () => {};

/** Sets the token sent with every request (null: none). */
export function setBearer(token: string | null): void {
  bearer = token;
}

/** Called when the server refuses the session (expired or revoked): the app signs out. */
export function whenUnauthenticated(handler: Unauthenticated): void {
  onUnauthenticated = handler;
}

function headers(extra?: Record<string, string>): Record<string, string> {
  const h: Record<string, string> = { accept: 'application/json', ...extra };
  if (bearer) h.authorization = `Bearer ${bearer}`;
  return h;
}

function refused(error: ApiError): ApiError {
  if (error.code === 'UNAUTHENTICATED' && bearer) onUnauthenticated(error);
  return error;
}

async function readJson(response: Response): Promise<any> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(`The server answered ${response.status} with a body that is not JSON`, 'BAD_RESPONSE', response.status);
  }
}

/**
 * A GraphQL document's text bound to its answer and variable types (the bindings are generated
 * into src/gql/documents.ts), so a page cannot read a field its query does not ask for or send
 * a variable of the wrong type.
 */
export type TypedDocument<TData, TVariables> = string & {
  readonly [bound]: [answer: TData, variables: TVariables];
};
declare const bound: unique symbol;

/** Runs a GraphQL operation; the first error becomes an ApiError with its `extensions.code`. */
export async function gql<TData, TVariables>(
  query: TypedDocument<TData, TVariables>,
  variables?: TVariables,
): Promise<TData> {
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ query, variables: variables ?? {} }),
    });
  } catch {
    throw new ApiError('The server cannot be reached', 'NETWORK_ERROR', 0);
  }
  const body = await readJson(response);
  const first = body?.errors?.[0];
  if (first) {
    const ext = first.extensions ?? {};
    throw refused(new ApiError(first.message, ext.code ?? 'GRAPHQL_ERROR', response.status, ext.details));
  }
  if (!response.ok || !body?.data) {
    throw refused(new ApiError(`The server answered ${response.status}`, response.status === 401 ? 'UNAUTHENTICATED' : 'HTTP_ERROR', response.status));
  }
  return body.data as TData;
}

/** Calls a REST endpoint and unwraps the `{success, data}` envelope. */
export async function rest<T>(
  method: string,
  path: string,
  body?: BodyInit | object,
  contentType = 'application/json',
): Promise<T> {
  const isRaw = body instanceof Blob || typeof body === 'string' || body instanceof ArrayBuffer;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: headers(body === undefined ? undefined : { 'content-type': contentType }),
      body: body === undefined ? undefined : isRaw ? (body as BodyInit) : JSON.stringify(body),
    });
  } catch {
    throw new ApiError('The server cannot be reached', 'NETWORK_ERROR', 0);
  }
  const envelope = await readJson(response);
  if (!response.ok || envelope?.success === false) {
    const err = envelope?.error ?? {};
    const code = err.code ?? (response.status === 401 ? 'UNAUTHENTICATED' : 'HTTP_ERROR');
    throw refused(new ApiError(err.message ?? `The server answered ${response.status}`, code, response.status, err.details));
  }
  return envelope.data as T;
}

/** A message for a person, from any error. */
export function describe(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
