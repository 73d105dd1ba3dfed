// Retries that can never create twice: a proxy lets the first attempt reach the server and
// then loses its answer; the retry, under the same Idempotency-Key, gets the first answer back.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ConnectionError, FluenzrClient, ValidationError } from "../dist/index.js";
import { closedPort, startProxy, startServer, waitFor } from "./helpers.mjs";

let server;
let direct;

before(async () => {
  server = await startServer();
  direct = new FluenzrClient({ apiKey: server.apiKey, baseUrl: server.baseUrl });
});
after(() => server?.stop());

/** A client behind a proxy that treats request number `i` as `plan(request, i)` says. */
async function behindProxy(plan, options = {}) {
  const proxy = await startProxy(server.baseUrl, { plan });
  const client = new FluenzrClient({ apiKey: server.apiKey, baseUrl: proxy.url, ...options });
  return { proxy, client };
}

async function contactsWithEmail(email) {
  return (await direct.contacts.list({ email })).filter((c) => c.email === email);
}

test("a POST whose connection drops after the server created the contact is retried without a second contact", async () => {
  const { proxy, client } = await behindProxy((_, i) => (i === 0 ? "forward-then-drop" : "forward"));
  try {
    const contact = await client.contacts.create({ email: "dropped@example.com", firstName: "Dee" });

    assert.equal(proxy.requests.length, 2);
    const [first, retry] = proxy.requests;
    // The first attempt did reach the server and create the contact; its answer was lost.
    assert.equal(first.answer.status, 201);
    assert.equal(first.answer.replayed, false);
    // The retry carried the same key and body, and the server replayed the first answer.
    assert.match(first.headers["idempotency-key"], /^sdk_[0-9a-f]{32}$/);
    assert.equal(retry.headers["idempotency-key"], first.headers["idempotency-key"]);
    assert.equal(retry.body, first.body);
    assert.equal(retry.answer.replayed, true);
    assert.equal(contact.id, JSON.parse(first.answer.body).data.id);

    const stored = await contactsWithEmail("dropped@example.com");
    assert.deepEqual(stored.map((c) => c.id), [contact.id]);
  } finally {
    await proxy.stop();
  }
});

test("a POST answered 502 after the server did the work is retried without creating twice", async () => {
  const { proxy, client } = await behindProxy((_, i) => (i === 0 ? { forwardThenStatus: 502 } : "forward"));
  try {
    const group = await client.groups.create({ name: "Gateway hiccup" });
    assert.equal(proxy.requests.length, 2);
    assert.equal(proxy.requests[1].answer.replayed, true);
    const groups = (await direct.groups.list({ name: "Gateway hiccup" })).map((g) => g.id);
    assert.deepEqual(groups, [group.id]);
  } finally {
    await proxy.stop();
  }
});

test("a timed-out POST is retried while the first attempt is still on its way, and still creates once", async () => {
  // The first attempt is held 800 ms before it reaches the server; the client gives up after
  // 300 ms and retries. Whichever attempt the server sees second gets the first one's answer.
  const { proxy, client } = await behindProxy((_, i) => (i === 0 ? { delayMs: 800 } : "forward"), { timeout: 300 });
  try {
    const contact = await client.contacts.create({ email: "slow@example.com" });
    // Wait for the held attempt to reach the server and get its answer. Which attempt the
    // server sees first depends on the retry's backoff: exactly one of the two is the replay.
    await waitFor(() => proxy.requests[0].answer, { what: "the held attempt's answer" });
    assert.equal(proxy.requests.length, 2);
    // Exactly one attempt created; the other was answered from it: a replay, or — when it
    // reached the server while the creating one still ran (a loaded machine) — the 409 that
    // says the same write is in progress.
    const answers = proxy.requests.map((r) => `${r.answer?.status}${r.answer?.replayed ? " replayed" : ""}`);
    const created = answers.filter((a) => a === "201");
    const answeredFromIt = answers.filter((a) => a === "201 replayed" || a === "409");
    assert.equal(created.length, 1, `answers: ${answers}`);
    assert.equal(answeredFromIt.length, 1, `answers: ${answers}`);
    assert.equal(proxy.requests[0].headers["idempotency-key"], proxy.requests[1].headers["idempotency-key"]);
    const stored = await contactsWithEmail("slow@example.com");
    assert.deepEqual(stored.map((c) => c.id), [contact.id]);
  } finally {
    await proxy.stop();
  }
});

test("without retries the lost answer is an error, though the server did create the contact", async () => {
  const { proxy, client } = await behindProxy(() => "forward-then-drop", { maxRetries: 0 });
  try {
    await assert.rejects(client.contacts.create({ email: "lost@example.com" }), ConnectionError);
    assert.equal(proxy.requests.length, 1);
    assert.equal((await contactsWithEmail("lost@example.com")).length, 1);
  } finally {
    await proxy.stop();
  }
});

test("each call has its own key; GET carries none; PUT and DELETE carry one; a given key is used as is", async () => {
  const { proxy, client } = await behindProxy(() => "forward");
  try {
    const a = await client.contacts.create({ email: "key-a@example.com" });
    await client.contacts.create({ email: "key-b@example.com" });
    await client.contacts.list();
    await client.contacts.update(a.id, { firstName: "A" });
    await client.contacts.delete(a.id);
    await client.contacts.create({ email: "key-c@example.com" }, { idempotencyKey: "import-42-c" });
    const again = await client.contacts.create({ email: "key-c@example.com" }, { idempotencyKey: "import-42-c" });

    const keys = proxy.requests.map((r) => r.headers["idempotency-key"]);
    assert.notEqual(keys[0], keys[1]);
    assert.equal(keys[2], undefined);
    assert.match(keys[3], /^sdk_/);
    assert.match(keys[4], /^sdk_/);
    assert.deepEqual(keys.slice(5), ["import-42-c", "import-42-c"]);
    assert.equal(proxy.requests[6].answer.replayed, true);
    assert.equal((await contactsWithEmail("key-c@example.com"))[0].id, again.id);
  } finally {
    await proxy.stop();
  }
});

test("429 is retried after Retry-After seconds", async () => {
  const { proxy, client } = await behindProxy((_, i) =>
    i === 0
      ? {
          status: 429,
          headers: { "content-type": "application/json", "retry-after": "1" },
          body: JSON.stringify({ success: false, error: { code: "RATE_LIMITED", message: "Rate limit exceeded", details: { requestId: "req_x" } } }),
        }
      : "forward",
  );
  try {
    const started = Date.now();
    const page = await client.contacts.list();
    const waited = Date.now() - started;
    assert.ok(Array.isArray(page));
    assert.equal(proxy.requests.length, 2);
    assert.ok(waited >= 1000, `waited only ${waited} ms`);
    assert.ok(waited < 3000, `waited ${waited} ms`);
  } finally {
    await proxy.stop();
  }
});

test("the 409 answered while the same idempotent write is still running is retried", async () => {
  const inProgress = (request) => ({
    status: 409,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      success: false,
      error: {
        code: "CONFLICT",
        message: "A request with this Idempotency-Key is still being processed",
        details: { idempotencyKey: request.headers["idempotency-key"], requestId: "req_busy" },
      },
    }),
  });
  const { proxy, client } = await behindProxy((request, i) => (i === 0 ? inProgress(request) : "forward"));
  try {
    const contact = await client.contacts.create({ email: "busy@example.com" });
    assert.equal(contact.email, "busy@example.com");
    assert.equal(proxy.requests.length, 2);
  } finally {
    await proxy.stop();
  }
});

test("5xx is retried at most maxRetries times, with backoff", async () => {
  const { proxy, client } = await behindProxy(() => ({ status: 503, body: "unavailable" }), { maxRetries: 2 });
  try {
    const started = Date.now();
    await assert.rejects(client.contacts.list(), (e) => e.status === 503);
    assert.equal(proxy.requests.length, 3);
    // 0.5 s then 1 s, less up to 25 % jitter
    assert.ok(Date.now() - started >= 1100);
  } finally {
    await proxy.stop();
  }
});

test("connection failures are retried, then thrown", async () => {
  const client = new FluenzrClient({ apiKey: server.apiKey, baseUrl: await closedPort(), maxRetries: 1 });
  const started = Date.now();
  await assert.rejects(client.contacts.list(), ConnectionError);
  assert.ok(Date.now() - started >= 375);
});

test("other 4xx answers are not retried", async () => {
  const { proxy, client } = await behindProxy(() => "forward");
  try {
    await assert.rejects(client.contacts.create({ email: "not an email" }), ValidationError);
    assert.equal(proxy.requests.length, 1);
  } finally {
    await proxy.stop();
  }
});
