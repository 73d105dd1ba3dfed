// CSV imports against a real server: contacts.import, imports.get and imports.wait.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { FluenzrClient, NotFoundError, TimeoutError, ValidationError } from "../dist/index.js";
import { startProxy, startServer } from "./helpers.mjs";

let server;
let client;

before(async () => {
  server = await startServer();
  client = new FluenzrClient({ apiKey: server.apiKey, baseUrl: server.baseUrl });
});
after(() => server?.stop());

const WAIT = { intervalMs: 50, timeoutMs: 20_000 };

async function contactByEmail(email) {
  const found = (await client.contacts.list({ email })).filter((c) => c.email === email);
  assert.equal(found.length, 1, `one contact ${email}`);
  return found[0];
}

describe("contacts.import and imports.wait", () => {
  test("a CSV with a mapping and a group is imported: counts, fields, custom field, group", async () => {
    const group = await client.groups.create({ name: "Imported leads" });
    const csv = [
      "E-mail,Vorname,Firma,Plan,Notes",
      "ana@import.example,Ana,Acme,gold,call back",
      "bo@import.example,Bo,Globex,silver,",
      '"cid@import.example","Cid, Jr.",Initech,bronze,"said ""maybe"""',
    ].join("\n");
    const imp = await client.contacts.import(csv, {
      groupId: group.id,
      mapping: { "E-mail": "email", Vorname: "firstName", Firma: "company", Plan: "customFields.plan", Notes: "ignore" },
    });
    assert.match(imp.id, /^imp_/);
    assert.ok(["queued", "running", "completed"].includes(imp.status), imp.status);
    assert.equal(imp.total, 3);
    assert.equal(imp.groupId, group.id);
    assert.equal(imp.duplicates, "skip");

    const seen = [];
    const done = await client.imports.wait(imp.id, { ...WAIT, onProgress: (p) => seen.push(p.status) });
    assert.equal(done.id, imp.id);
    assert.equal(done.status, "completed");
    assert.deepEqual(
      [done.total, done.processed, done.created, done.updated, done.skipped, done.failedRows],
      [3, 3, 3, 0, 0, 0],
    );
    assert.deepEqual(done.errors, []);
    assert.ok(done.completedAt);
    assert.equal(seen.at(-1), "completed", "onProgress saw the last read");
    assert.deepEqual(await client.imports.get(imp.id), done);

    const ana = await contactByEmail("ana@import.example");
    assert.equal(ana.firstName, "Ana");
    assert.equal(ana.company, "Acme");
    assert.deepEqual(ana.customFields, { plan: "gold" });
    assert.deepEqual(ana.groupIds, [group.id]);
    const cid = await contactByEmail("cid@import.example");
    assert.equal(cid.firstName, "Cid, Jr.");
    assert.deepEqual(cid.customFields, { plan: "bronze" });

    const members = await client.groups.listContacts(group.id, { sort: "email", order: "asc" });
    assert.deepEqual(members.map((c) => c.email), ["ana@import.example", "bo@import.example", "cid@import.example"]);
  });

  test("refused rows are reported with their CSV line and column; the others are imported", async () => {
    const csv = "email;firstName\ngood-1@rows.example;One\nnot-an-email;Two\n;Three\ngood-2@rows.example;Four\n";
    const imp = await client.imports.wait((await client.contacts.import(csv)).id, WAIT);
    assert.equal(imp.status, "completed");
    assert.deepEqual([imp.total, imp.processed, imp.created, imp.failedRows], [4, 4, 2, 2]);
    assert.deepEqual(
      imp.errors.map((e) => [e.row, e.column]),
      [
        [3, "email"],
        [4, "email"],
      ],
    );
    assert.match(imp.errors[0].message, /not-an-email/);
    await contactByEmail("good-2@rows.example");
  });

  test("a CSV without an email column is refused at once with VALIDATION_ERROR", async () => {
    const error = await client.contacts.import("name,company\nAna,Acme\n").catch((e) => e);
    assert.ok(error instanceof ValidationError, String(error));
    assert.equal(error.code, "VALIDATION_ERROR");
    assert.equal(error.status, 400);
    assert.equal(error.details.field, "csv");
    assert.match(error.requestId, /^req_/);

    const badTarget = await client.contacts.import("email,Size\na@b.example,9\n", { mapping: { Size: "shoeSize" } }).catch((e) => e);
    assert.ok(badTarget instanceof ValidationError);
    assert.equal(badTarget.code, "VALIDATION_ERROR");
    assert.equal(badTarget.details.field, "mapping");
  });

  test("duplicates: 'update' updates the existing contact; the default skips it", async () => {
    const existing = await client.contacts.create({ email: "dup@import.example", firstName: "Old", company: "OldCo" });
    const csv = "email,firstName,company\ndup@import.example,New,NewCo\nfresh@import.example,Fresh,\n";

    const skipped = await client.imports.wait((await client.contacts.import(csv)).id, WAIT);
    assert.deepEqual([skipped.created, skipped.updated, skipped.skipped], [1, 0, 1]);
    assert.equal((await client.contacts.get(existing.id)).firstName, "Old");

    const imp = await client.contacts.import(csv, { duplicates: "update" });
    assert.equal(imp.duplicates, "update");
    const updated = await client.imports.wait(imp.id, WAIT);
    assert.deepEqual([updated.created, updated.updated, updated.skipped, updated.failedRows], [0, 2, 0, 0]);
    const contact = await client.contacts.get(existing.id);
    assert.equal(contact.firstName, "New");
    assert.equal(contact.company, "NewCo");
  });

  test("the file may be bytes (a Latin-1 Uint8Array) or a Blob", async () => {
    const latin1 = Uint8Array.from(Buffer.from("email,firstName\njose@bytes.example,Jos\xe9\n", "latin1"));
    const fromBytes = await client.imports.wait((await client.contacts.import(latin1)).id, WAIT);
    assert.equal(fromBytes.created, 1);
    assert.equal((await contactByEmail("jose@bytes.example")).firstName, "José");

    const blob = new Blob(["email,lastName\nblob@bytes.example,Müller\n"], { type: "application/octet-stream" });
    const fromBlob = await client.imports.wait((await client.contacts.import(blob)).id, WAIT);
    assert.equal(fromBlob.created, 1);
    assert.equal((await contactByEmail("blob@bytes.example")).lastName, "Müller");
  });

  test("the POST sends text/csv with an Idempotency-Key; a lost answer is retried without a second import", async () => {
    const proxy = await startProxy(server.baseUrl, {
      plan: (request, i) => (i === 0 ? "forward-then-drop" : "forward"),
    });
    try {
      const behind = new FluenzrClient({ apiKey: server.apiKey, baseUrl: proxy.url });
      const imp = await behind.contacts.import("email\nretry@import.example\n", { mapping: { email: "email" } });
      assert.equal(proxy.requests.length, 2);
      const [first, retry] = proxy.requests;
      assert.equal(first.method, "POST");
      assert.equal(first.headers["content-type"], "text/csv");
      assert.equal(first.body, "email\nretry@import.example\n");
      assert.equal(new URL(first.path, "http://x").searchParams.get("mapping"), '{"email":"email"}');
      assert.match(first.headers["idempotency-key"], /^sdk_[0-9a-f]{32}$/);
      assert.equal(retry.headers["idempotency-key"], first.headers["idempotency-key"]);
      assert.equal(retry.answer.replayed, true);
      assert.equal(imp.id, JSON.parse(first.answer.body).data.id);

      await client.imports.wait(imp.id, WAIT);
      const stored = (await client.contacts.list({ email: "retry@import.example" })).length;
      assert.equal(stored, 1);
    } finally {
      await proxy.stop();
    }
  });

  test("imports.get of an unknown id is a NotFoundError", async () => {
    await assert.rejects(client.imports.get("imp_missing"), NotFoundError);
    await assert.rejects(client.imports.get(""), TypeError);
  });
});

describe("imports.wait", () => {
  /** A client whose server answers every GET of an import with `statuses[n]` (the last one repeated). */
  function scripted(statuses) {
    let reads = 0;
    const fetch = async (url) => {
      const status = statuses[Math.min(reads++, statuses.length - 1)];
      const id = new URL(url).pathname.split("/").at(-1);
      const data = {
        id, status, total: 10, processed: status === "completed" ? 10 : 4, created: 0, updated: 0, skipped: 0,
        failedRows: 0, errors: [], groupId: null, duplicates: "skip", createdAt: "2026-01-01T00:00:00Z",
        startedAt: null, completedAt: null,
      };
      return new Response(JSON.stringify({ success: true, data }), { status: 200, headers: { "content-type": "application/json" } });
    };
    return { client: new FluenzrClient({ apiKey: "k", baseUrl: "http://fake.test", fetch }), reads: () => reads };
  }

  test("polls until the import stops, calling onProgress after each read", async () => {
    const fake = scripted(["queued", "running", "running", "failed"]);
    const seen = [];
    const imp = await fake.client.imports.wait("imp_x", { intervalMs: 1, onProgress: (p) => seen.push(p.status) });
    assert.equal(imp.status, "failed");
    assert.deepEqual(seen, ["queued", "running", "running", "failed"]);
    assert.equal(fake.reads(), 4);
  });

  test("throws a TimeoutError when the import is still running after timeoutMs", async () => {
    const fake = scripted(["running"]);
    const started = Date.now();
    const error = await fake.client.imports.wait("imp_slow", { intervalMs: 20, timeoutMs: 100 }).catch((e) => e);
    assert.ok(error instanceof TimeoutError, String(error));
    assert.equal(error.code, "TIMEOUT");
    assert.equal(error.details.importId, "imp_slow");
    assert.equal(error.details.processed, 4);
    assert.ok(Date.now() - started >= 100);
    assert.ok(fake.reads() >= 3);
  });

  test("an abort signal stops the wait", async () => {
    const fake = scripted(["running"]);
    const controller = new AbortController();
    const waiting = fake.client.imports.wait("imp_x", { intervalMs: 1_000 }, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("stop")), 20);
    await assert.rejects(waiting, /stop/);
  });
});
