// One error of each family, with the envelope's code and the request id.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  AuthenticationError,
  ConflictError,
  ConnectionError,
  FluenzrClient,
  FluenzrError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  ServerError,
  TimeoutError,
  ValidationError,
} from "../dist/index.js";
import { closedPort, startProxy, startServer } from "./helpers.mjs";

let server;
let client;

before(async () => {
  server = await startServer();
  client = new FluenzrClient({ apiKey: server.apiKey, baseUrl: server.baseUrl });
});
after(() => server?.stop());

/** Runs `call`, expects it to fail, and answers the error. */
async function failure(call) {
  try {
    await call();
  } catch (error) {
    return error;
  }
  assert.fail("the call succeeded");
}

/** The family, the code, the status and a request id that is the server's. */
function assertApiError(error, Class, code, status) {
  assert.ok(error instanceof Class, `${error?.name}: ${error?.message}`);
  assert.ok(error instanceof FluenzrError);
  assert.equal(error.code, code);
  assert.equal(error.status, status);
  assert.match(error.requestId, /^req_/);
  assert.equal(error.details.requestId, error.requestId);
  assert.equal(error.headers.get("request-id"), error.requestId);
  assert.equal(typeof error.message, "string");
  assert.ok(error.message.length > 0);
}

test("400: ValidationError with the field", async () => {
  const error = await failure(() => client.contacts.create({ firstName: "No email" }));
  assertApiError(error, ValidationError, "VALIDATION_ERROR", 400);
  assert.equal(error.message, "Email is required");
  assert.equal(error.details.field, "email");
});

test("400: BAD_REQUEST is a ValidationError too", async () => {
  const error = await failure(() => client.contacts.list({ sort: "shoeSize" }));
  assertApiError(error, ValidationError, error.code, 400);
  assert.ok(["BAD_REQUEST", "VALIDATION_ERROR"].includes(error.code));
});

test("401: AuthenticationError", async () => {
  const stranger = new FluenzrClient({ apiKey: "fz_live_not_a_key", baseUrl: server.baseUrl });
  const error = await failure(() => stranger.contacts.list());
  assertApiError(error, AuthenticationError, "UNAUTHENTICATED", 401);
});

test("403: PermissionError for a plan without the API", async () => {
  const free = await server.createWorkspace("Free workspace", "free");
  const freeClient = new FluenzrClient({ apiKey: free.apiKey, baseUrl: server.baseUrl });
  const error = await failure(() => freeClient.contacts.list());
  assertApiError(error, PermissionError, "PLAN_REQUIRED", 403);
});

test("404: NotFoundError", async () => {
  const error = await failure(() => client.campaigns.get("cmp_missing"));
  assertApiError(error, NotFoundError, "NOT_FOUND", 404);
});

test("409: ConflictError for a duplicate email and an illegal transition", async () => {
  await client.contacts.create({ email: "twice@example.com" });
  const duplicate = await failure(() => client.contacts.create({ email: "TWICE@example.com" }));
  assertApiError(duplicate, ConflictError, "CONFLICT", 409);

  const draft = await client.campaigns.create({ name: "No steps yet" });
  const start = await failure(() => client.campaigns.start(draft.id));
  assertApiError(start, ConflictError, "CONFLICT", 409);
});

test("429: RateLimitError with retryAfter, from a server with a tiny rate limit", async () => {
  const limited = await startServer({ rateLimit: 3 });
  try {
    const limitedClient = new FluenzrClient({ apiKey: limited.apiKey, baseUrl: limited.baseUrl, maxRetries: 0 });
    const error = await failure(async () => {
      for (let i = 0; i < 10; i++) await limitedClient.contacts.list();
    });
    assertApiError(error, RateLimitError, "RATE_LIMITED", 429);
    assert.equal(typeof error.retryAfter, "number");
    assert.ok(error.retryAfter >= 0 && error.retryAfter <= 60, `retryAfter ${error.retryAfter}`);
    assert.equal(error.retryAfter, Number(error.headers.get("retry-after")));
  } finally {
    await limited.stop();
  }
});

test("5xx: ServerError (an INTERNAL_ERROR envelope from a failing upstream)", async () => {
  // The server does not fail on demand, so a proxy answers its error envelope.
  const proxy = await startProxy(server.baseUrl, {
    plan: () => ({
      status: 500,
      headers: { "content-type": "application/json", "request-id": "req_proxy500" },
      body: JSON.stringify({
        success: false,
        error: { code: "INTERNAL_ERROR", message: "Internal server error", details: { requestId: "req_proxy500" } },
      }),
    }),
  });
  try {
    const viaProxy = new FluenzrClient({ apiKey: server.apiKey, baseUrl: proxy.url, maxRetries: 0 });
    const error = await failure(() => viaProxy.contacts.list());
    assertApiError(error, ServerError, "INTERNAL_ERROR", 500);
    assert.equal(error.requestId, "req_proxy500");
  } finally {
    await proxy.stop();
  }
});

test("5xx without an envelope (a gateway's page) is a ServerError too", async () => {
  const proxy = await startProxy(server.baseUrl, { plan: () => ({ status: 502, body: "<html>Bad gateway</html>" }) });
  try {
    const viaProxy = new FluenzrClient({ apiKey: server.apiKey, baseUrl: proxy.url, maxRetries: 0 });
    const error = await failure(() => viaProxy.contacts.list());
    assert.ok(error instanceof ServerError);
    assert.equal(error.status, 502);
    assert.equal(error.code, "INTERNAL_ERROR");
    assert.match(error.message, /Bad gateway/);
  } finally {
    await proxy.stop();
  }
});

test("ConnectionError when nothing answers", async () => {
  const offline = new FluenzrClient({ apiKey: server.apiKey, baseUrl: await closedPort(), maxRetries: 0 });
  const error = await failure(() => offline.contacts.list());
  assert.ok(error instanceof ConnectionError);
  assert.equal(error.code, "CONNECTION_ERROR");
  assert.equal(error.status, undefined);
  assert.ok(error.cause);
});

test("TimeoutError past the timeout", async () => {
  const proxy = await startProxy(server.baseUrl, { plan: () => ({ delayMs: 1000 }) });
  try {
    const slow = new FluenzrClient({ apiKey: server.apiKey, baseUrl: proxy.url, maxRetries: 0, timeout: 150 });
    const started = Date.now();
    const error = await failure(() => slow.contacts.list());
    assert.ok(error instanceof TimeoutError);
    assert.ok(error instanceof ConnectionError);
    assert.equal(error.code, "TIMEOUT");
    assert.ok(Date.now() - started < 900);
  } finally {
    await proxy.stop();
  }
});

test("an aborted call rejects with the signal's reason and is not retried", async () => {
  const proxy = await startProxy(server.baseUrl, { plan: () => ({ delayMs: 1000 }) });
  try {
    const viaProxy = new FluenzrClient({ apiKey: server.apiKey, baseUrl: proxy.url });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await failure(() => viaProxy.contacts.list(undefined, { signal: controller.signal }));
    assert.equal(error.name, "AbortError");
    assert.equal(proxy.requests.length, 1);
  } finally {
    await proxy.stop();
  }
});

test("a client without an API key refuses to start", () => {
  const saved = process.env.FLUENZR_API_KEY;
  delete process.env.FLUENZR_API_KEY;
  try {
    assert.throws(() => new FluenzrClient({ baseUrl: server.baseUrl }), AuthenticationError);
  } finally {
    if (saved !== undefined) process.env.FLUENZR_API_KEY = saved;
  }
});
