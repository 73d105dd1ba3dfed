// Webhook signatures of real deliveries: a local receiver subscribed through the API.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { after, before, test } from "node:test";
import { FluenzrClient, FluenzrError, WebhookVerificationError, verifyWebhook } from "../dist/index.js";
import { startReceiver, startServer, waitFor } from "./helpers.mjs";

let server;
let client;
let receiver;
let hook;

before(async () => {
  server = await startServer();
  client = new FluenzrClient({ apiKey: server.apiKey, baseUrl: server.baseUrl });
  receiver = await startReceiver();
  hook = await client.webhooks.create({ url: receiver.url, events: ["contact.created"] });
});
after(async () => {
  await receiver?.stop();
  await server?.stop();
});

/** The next delivery of an event of this type. */
async function delivery(type) {
  return waitFor(() => receiver.deliveries.find((d) => JSON.parse(d.text).type === type && !d.taken && (d.taken = true)), {
    what: `a ${type} delivery`,
  });
}

/** The signature a sender holding `secret` would put on (id, timestamp, body). */
function sign(secret, id, timestamp, body) {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  return "v1," + createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");
}

test("a real contact.created delivery verifies and answers the typed event", async () => {
  const contact = await client.contacts.create({ email: "hooked@example.com", firstName: "Hook" });
  const received = await delivery("contact.created");

  // Raw bytes and Node's header object, as a receiver has them
  const event = await verifyWebhook(received.body, received.headers, hook.secret);
  assert.equal(event.type, "contact.created");
  assert.match(event.id, /^evt_/);
  assert.equal(event.id, received.headers["webhook-id"]);
  assert.equal(event.workspaceId, server.workspaceId);
  assert.equal(event.data.id, contact.id);
  assert.equal(event.data.email, "hooked@example.com");

  // The same through the client, the static helper, a string body and a fetch Headers
  const headers = new Headers(received.headers);
  assert.deepEqual(await client.webhooks.verify(received.text, headers, hook.secret), event);
  assert.deepEqual(await FluenzrClient.webhooks.verify(received.text, headers, hook.secret), event);
});

test("a tampered body, a stale or future timestamp, a wrong secret or missing headers fail", async () => {
  await client.contacts.create({ email: "tamper@example.com" });
  const received = await delivery("contact.created");
  const { headers, text } = received;

  const refused = async (payload, hdrs, secret, options, message) => {
    await assert.rejects(verifyWebhook(payload, hdrs, secret, options), (error) => {
      assert.ok(error instanceof WebhookVerificationError);
      assert.ok(error instanceof FluenzrError);
      assert.equal(error.code, "INVALID_SIGNATURE");
      assert.match(error.message, message);
      return true;
    });
  };

  await refused(text.replace("tamper@example.com", "tamper@evil.example"), headers, hook.secret, {}, /No matching signature/);
  await refused(text + " ", headers, hook.secret, {}, /No matching signature/);

  // The real signature, checked six minutes later: stale
  const sentAt = Number(headers["webhook-timestamp"]);
  await refused(text, headers, hook.secret, { now: new Date((sentAt + 360) * 1000) }, /too old/);
  await refused(text, headers, hook.secret, { now: new Date((sentAt - 360) * 1000) }, /too new/);
  // …but within a wider tolerance it still verifies
  const late = await verifyWebhook(text, headers, hook.secret, { now: new Date((sentAt + 360) * 1000), tolerance: 600 });
  assert.equal(late.type, "contact.created");

  // A timestamp moved to now no longer matches the signature
  const now = Math.floor(Date.now() / 1000) + 1;
  await refused(text, { ...headers, "webhook-timestamp": String(now) }, hook.secret, {}, /No matching signature/);
  // A correctly signed but stale delivery is refused for its age alone
  const stale = String(now - 3600);
  await refused(text, { ...headers, "webhook-timestamp": stale, "webhook-signature": sign(hook.secret, headers["webhook-id"], stale, text) }, hook.secret, {}, /too old/);

  const other = "whsec_" + Buffer.from("another secret of 32 bytes......").toString("base64");
  await refused(text, headers, other, {}, /No matching signature/);
  await refused(text, { ...headers, "webhook-signature": undefined }, hook.secret, {}, /Missing/);
  await refused(text, { ...headers, "webhook-signature": "v2," + headers["webhook-signature"].slice(3) }, hook.secret, {}, /No matching/);
  await assert.rejects(verifyWebhook(JSON.parse(text), headers, hook.secret), TypeError);
});

test("several signatures in one header: after a rotation both secrets verify a real delivery", async () => {
  const rotated = await client.webhooks.rotateSecret(hook.id);
  const test = await client.webhooks.test(hook.id);
  const received = await delivery("webhook.test");

  const signatures = received.headers["webhook-signature"].split(" ");
  assert.equal(signatures.length, 2);
  assert.ok(signatures.every((s) => s.startsWith("v1,")));

  const byNew = await verifyWebhook(received.body, received.headers, rotated.secret);
  const byOld = await verifyWebhook(received.body, received.headers, hook.secret);
  assert.equal(byNew.id, test.eventId);
  assert.equal(byNew.type, "webhook.test");
  assert.deepEqual(byOld, byNew);

  // Either signature alone is enough, in any position
  const [first, second] = signatures;
  const headers = { ...received.headers, "webhook-signature": `v1,bm90IGl0 ${second} ${first}` };
  assert.equal((await verifyWebhook(received.text, headers, rotated.secret)).id, test.eventId);
});
