// Configuration and request shape, without a server: a stand-in `fetch` records each request.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { afterEach, beforeEach, test } from "node:test";
import { FluenzrClient, VERSION } from "../dist/index.js";

const saved = {};
beforeEach(() => {
  for (const name of ["FLUENZR_API_KEY", "FLUENZR_BASE_URL"]) {
    saved[name] = process.env[name];
    delete process.env[name];
  }
});
afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** A `fetch` that answers an empty page and records what it was asked. */
function recorder() {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url: String(url), init });
    const body = { success: true, data: [], meta: { page: 1, perPage: 20, total: 0, totalPages: 0, totalIsEstimate: false, nextCursor: null } };
    return new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });
  };
  return { calls, fetch };
}

test("the base URL defaults to FLUENZR_BASE_URL, then http://127.0.0.1:8080; a trailing /v1 is dropped", () => {
  assert.equal(new FluenzrClient({ apiKey: "k" }).baseUrl, "http://127.0.0.1:8080");
  process.env.FLUENZR_BASE_URL = "https://api.fluenzr.example/";
  assert.equal(new FluenzrClient({ apiKey: "k" }).baseUrl, "https://api.fluenzr.example");
  assert.equal(new FluenzrClient({ apiKey: "k", baseUrl: "https://api.fluenzr.co/v1" }).baseUrl, "https://api.fluenzr.co");
  assert.equal(new FluenzrClient({ apiKey: "k", baseUrl: "http://10.0.0.1:9000/fluenzr/" }).baseUrl, "http://10.0.0.1:9000/fluenzr");
  assert.throws(() => new FluenzrClient({ apiKey: "k", baseUrl: "not a url" }), TypeError);
});

test("the API key defaults to FLUENZR_API_KEY and is sent as a bearer token", async () => {
  process.env.FLUENZR_API_KEY = "fz_live_from_env";
  const { calls, fetch } = recorder();
  await new FluenzrClient({ fetch }).contacts.list();
  assert.equal(calls[0].init.headers.authorization, "Bearer fz_live_from_env");
  assert.equal(calls[0].init.headers["user-agent"], `fluenzr-js/${VERSION}`);
});

test("timeout and maxRetries are checked", () => {
  assert.throws(() => new FluenzrClient({ apiKey: "k", timeout: 0 }), TypeError);
  assert.throws(() => new FluenzrClient({ apiKey: "k", maxRetries: -1 }), TypeError);
  assert.throws(() => new FluenzrClient({ apiKey: "k", maxRetries: 1.5 }), TypeError);
});

test("query parameters skip undefined values; ids are one path segment", async () => {
  const { calls, fetch } = recorder();
  const client = new FluenzrClient({ apiKey: "k", baseUrl: "http://fz.example", fetch });
  await client.contacts.list({ email: "a b@example.com", group: undefined, perPage: 5 });
  assert.equal(calls[0].url, "http://fz.example/v1/contacts?email=a+b%40example.com&perPage=5");
  await client.groups.listContacts("grp_1/../x", { page: 2 });
  assert.equal(calls[1].url, "http://fz.example/v1/groups/grp_1%2F..%2Fx/contacts?page=2");
  await assert.rejects(client.contacts.get(""), TypeError);
  await client.domains.activateDkimKey("acme.test/..", "s 1?");
  assert.equal(calls[2].url, "http://fz.example/v1/domains/acme.test%2F../dkim/s%201%3F/activate");
  await client.domains.createDkimKey("acme.test");
  assert.equal(calls[3].url, "http://fz.example/v1/domains/acme.test/dkim");
  assert.equal(calls[3].init.body, "{}");
  await assert.rejects(client.domains.deleteDkimKey("acme.test", ""), TypeError);
});

test("default and per-call headers; a caller's Idempotency-Key replaces the generated one", async () => {
  const { calls, fetch } = recorder();
  const client = new FluenzrClient({ apiKey: "k", baseUrl: "http://fz.example", fetch, defaultHeaders: { "X-Team": "growth" } });
  await client.contacts.create({ email: "a@example.com" }, { headers: { "Idempotency-Key": "mine-1" } });
  await client.contacts.create({ email: "a@example.com" }, { idempotencyKey: "mine-2" });
  await client.campaigns.start("cmp_1");
  assert.equal(calls[0].init.headers["x-team"], "growth");
  assert.equal(calls[0].init.headers["idempotency-key"], "mine-1");
  assert.equal(calls[0].init.headers["content-type"], "application/json");
  assert.equal(calls[0].init.body, '{"email":"a@example.com"}');
  assert.equal(calls[1].init.headers["idempotency-key"], "mine-2");
  assert.match(calls[2].init.headers["idempotency-key"], /^sdk_[0-9a-f]{32}$/);
  assert.equal(calls[2].init.body, undefined);
  assert.equal(calls[2].init.method, "POST");
});

test("GraphQL queries carry no Idempotency-Key; mutations do", async () => {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url: String(url), init });
    return new Response(JSON.stringify({ data: {} }), { status: 200, headers: { "content-type": "application/json" } });
  };
  const client = new FluenzrClient({ apiKey: "k", baseUrl: "http://fz.example", fetch });
  const reads = [
    "{ contacts { items { id } } }",
    "query Contacts($page: Int) { contacts(page: $page) { items { id } } }",
    "# mutation { deleteContact }\nquery { viewer { workspace { id } } }",
    'query Q($q: String = "mutation {") { contacts(email: $q) { items { id } } } fragment F on Contact { id }',
  ];
  for (const query of reads) await client.graphql(query);
  const writes = [
    'mutation { createContact(input: { email: "a@example.com" }) { id } }',
    "  mutation Start($id: ID!) { startCampaign(id: $id) { id } }",
    "query A { viewer { user { email } } } mutation B { revokeApiKey(id: \"key_1\") { id } }",
  ];
  for (const query of writes) await client.graphql(query);
  await client.graphql("{ viewer { user { email } } }", undefined, { idempotencyKey: "chosen-1" });
  for (const [i, call] of calls.slice(0, reads.length).entries()) {
    assert.equal(call.url, "http://fz.example/graphql");
    assert.equal(call.init.method, "POST");
    assert.equal(call.init.headers["idempotency-key"], undefined, reads[i]);
  }
  for (const [i, call] of calls.slice(reads.length, reads.length + writes.length).entries()) {
    assert.match(call.init.headers["idempotency-key"], /^sdk_[0-9a-f]{32}$/, writes[i]);
  }
  assert.equal(calls.at(-1).init.headers["idempotency-key"], "chosen-1", "a key the caller gives is sent");
});

test("VERSION is package.json's version", async () => {
  const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"));
  assert.equal(VERSION, pkg.version);
});

test("works where Web Crypto is not on the global object (Node 18 may run so): node:crypto is used", async () => {
  // In a child process whose global `crypto` is removed before the SDK loads: a keyed write
  // and a webhook verification both need Web Crypto.
  const script = `
    Object.defineProperty(globalThis, "crypto", { value: undefined, configurable: true });
    const { FluenzrClient, verifyWebhook } = await import(${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)});
    const { createHmac } = await import("node:crypto");
    let key;
    const fetch = async (_url, init) => {
      key = init.headers["idempotency-key"];
      return new Response(JSON.stringify({ success: true, data: { id: "cnt_1" } }), { status: 201 });
    };
    await new FluenzrClient({ apiKey: "k", fetch }).contacts.create({ email: "a@example.com" });
    const raw = Buffer.from("a 32-byte secret for this test..");
    const timestamp = String(Math.floor(Date.now() / 1000));
    const body = JSON.stringify({ id: "evt_1", type: "webhook.test", data: {} });
    const signature = "v1," + createHmac("sha256", raw).update("evt_1." + timestamp + "." + body).digest("base64");
    const headers = { "webhook-id": "evt_1", "webhook-timestamp": timestamp, "webhook-signature": signature };
    const event = await verifyWebhook(body, headers, "whsec_" + raw.toString("base64"));
    console.log(JSON.stringify({ globalCrypto: typeof globalThis.crypto, key, type: event.type }));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script]);
  const result = JSON.parse(stdout);
  assert.equal(result.globalCrypto, "undefined");
  assert.match(result.key, /^sdk_[0-9a-f]{32}$/);
  assert.equal(result.type, "webhook.test");
});
