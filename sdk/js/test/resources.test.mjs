// Every resource's happy path, pagination and GraphQL, against a real server.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ConflictError, FluenzrClient, NotFoundError, ValidationError } from "../dist/index.js";
import { closedPort, startReceiver, startServer, startSmtpSink } from "./helpers.mjs";

let server;
let client;

before(async () => {
  server = await startServer();
  client = new FluenzrClient({ apiKey: server.apiKey, baseUrl: server.baseUrl });
});
after(() => server?.stop());

describe("contacts", () => {
  test("create, get, update, list with filters, delete", async () => {
    const created = await client.contacts.create({
      email: "ana@example.com",
      firstName: "Ana",
      company: "Acme",
      customFields: { plan: "gold", seats: 12 },
    });
    assert.match(created.id, /^cnt_/);
    assert.equal(created.email, "ana@example.com");
    assert.equal(created.status, "active");
    assert.deepEqual(created.customFields, { plan: "gold", seats: 12 });

    assert.deepEqual(await client.contacts.get(created.id), created);

    const updated = await client.contacts.update(created.id, { lastName: "Silva", status: "unsubscribed" });
    assert.equal(updated.lastName, "Silva");
    assert.equal(updated.firstName, "Ana");
    assert.equal(updated.status, "unsubscribed");
    assert.equal(updated.leadStatus, null);
    const labelled = await client.contacts.update(created.id, { leadStatus: "interested" });
    assert.equal(labelled.leadStatus, "interested");

    const found = await client.contacts.list({ email: "ANA@", status: "unsubscribed" });
    assert.deepEqual(found.map((c) => c.id), [created.id]);
    assert.deepEqual(found.meta, { page: 1, perPage: 20, total: 1, totalPages: 1, totalIsEstimate: false, nextCursor: null });

    assert.deepEqual(await client.contacts.delete(created.id), { id: created.id, deleted: true });
    await assert.rejects(client.contacts.get(created.id), NotFoundError);
  });

  test("the inbox lists threads (none yet) and names an unknown thread", async () => {
    const page = await client.inbox.list({ unread: true, leadStatus: "interested" });
    assert.deepEqual([...page], []);
    assert.equal(page.meta.total, 0);
    await assert.rejects(client.inbox.get("thr_01m6e1q4r6s8t0v2w4x6y8z0a2"), NotFoundError);
    await assert.rejects(client.inbox.reply("thr_01m6e1q4r6s8t0v2w4x6y8z0a2", "Hi"), NotFoundError);
  });

  test("export answers everything held; erase keeps the address suppressed as a digest", async () => {
    const email = `erase.${Date.now()}@example.com`;
    const person = await client.contacts.create({ email, firstName: "Eve" });
    const held = await client.contacts.export(person.id);
    assert.equal(held.contact.email, email);
    assert.deepEqual(held.messages, []);
    assert.equal(typeof held.exportedAt, "string");
    assert.deepEqual(await client.contacts.delete(person.id, { erase: true }), { id: person.id, deleted: true });
    const again = await client.contacts.create({ email });
    assert.equal(again.status, "unsubscribed");
    await client.contacts.delete(again.id);
  });

  test("createMany answers a result per item", async () => {
    const result = await client.contacts.createMany([
      { email: "batch-1@example.com", firstName: "One" },
      { firstName: "No email" },
      { email: "batch-2@example.com" },
    ]);
    assert.equal(result.created, 2);
    assert.equal(result.failed, 1);
    assert.deepEqual(result.results.map((r) => r.success), [true, false, true]);
    assert.equal(result.results[1].error.code, "VALIDATION_ERROR");
    assert.equal(result.results[0].contact.email, "batch-1@example.com");
  });
});

describe("pagination", () => {
  test("list answers a page with meta; iterate and listAll walk every page", async () => {
    const emails = Array.from({ length: 25 }, (_, i) => `page-${String(i).padStart(2, "0")}@paging.example`);
    const batch = await client.contacts.createMany(emails.map((email) => ({ email, company: "Paging" })));
    assert.equal(batch.created, 25);

    const first = await client.contacts.list({ company: "Paging", perPage: 10, sort: "email", order: "asc" });
    assert.ok(Array.isArray(first));
    assert.equal(first.length, 10);
    assert.deepEqual(first.meta, {
      page: 1, perPage: 10, total: 25, totalPages: 3, totalIsEstimate: false, nextCursor: first.meta.nextCursor,
    });
    assert.equal(typeof first.meta.nextCursor, "string");
    const seen = [];
    for (const contact of first) seen.push(contact.email);
    assert.deepEqual(seen, emails.slice(0, 10));

    const third = await client.contacts.list({ company: "Paging", perPage: 10, page: 3, sort: "email", order: "asc" });
    assert.deepEqual(third.map((c) => c.email), emails.slice(20));

    const iterated = [];
    for await (const contact of client.contacts.iterate({ company: "Paging", perPage: 10, sort: "email", order: "asc" })) {
      iterated.push(contact.email);
    }
    assert.deepEqual(iterated, emails);

    const all = await client.contacts.listAll({ company: "Paging", perPage: 7, sort: "email", order: "asc" });
    assert.deepEqual(all.map((c) => c.email), emails);

    const fromPage2 = await client.contacts.listAll({ company: "Paging", perPage: 10, page: 2, sort: "email", order: "asc" });
    assert.deepEqual(fromPage2.map((c) => c.email), emails.slice(10));

    const fromCursor = await client.contacts.list({ company: "Paging", perPage: 10, cursor: first.meta.nextCursor, sort: "email", order: "asc" });
    assert.equal(fromCursor.meta.page, 2);
    assert.deepEqual(fromCursor.map((c) => c.email), emails.slice(10, 20));
  });

  test("walking a list asks for each page after the first by cursor, and sees rows added meanwhile once", async () => {
    const emails = Array.from({ length: 12 }, (_, i) => `walk-${String(i).padStart(2, "0")}@cursor.example`);
    await client.contacts.createMany(emails.map((email) => ({ email, company: "Cursor" })));
    const asked = [];
    const counting = new FluenzrClient({
      apiKey: server.apiKey,
      baseUrl: server.baseUrl,
      fetch: (input, init) => {
        asked.push(new URL(String(input)));
        return fetch(input, init);
      },
    });
    const seen = [];
    for await (const contact of counting.contacts.iterate({ company: "Cursor", perPage: 5, sort: "email", order: "asc" })) {
      seen.push(contact.email);
      if (seen.length === 1) await client.contacts.create({ email: "walk-07a@cursor.example", company: "Cursor" });
    }
    // The contact added after the first page sorts into a page not yet read: it is seen once,
    // and the rows after it are not shifted into a repeat.
    assert.deepEqual(seen, [...emails, "walk-07a@cursor.example"].sort());
    assert.equal(asked.length, 3);
    assert.equal(asked[0].searchParams.get("cursor"), null);
    for (const url of asked.slice(1)) {
      assert.ok(url.searchParams.get("cursor"));
      assert.equal(url.searchParams.get("page"), null);
    }
  });

  test("an empty list is an empty page and iterates nothing", async () => {
    const page = await client.contacts.list({ company: "Nobody" });
    assert.equal(page.length, 0);
    assert.equal(page.meta.total, 0);
    assert.deepEqual(await client.contacts.listAll({ company: "Nobody" }), []);
  });
});

describe("groups", () => {
  test("CRUD, and members listed, added and removed", async () => {
    const group = await client.groups.create({ name: "Leads", description: "From the site" });
    assert.match(group.id, /^grp_/);
    assert.equal(group.contactCount, 0);
    const a = await client.contacts.create({ email: "lead-a@example.com" });
    const b = await client.contacts.create({ email: "lead-b@example.com" });

    const added = await client.groups.addContacts(group.id, { contactIds: [a.id, b.id] });
    assert.equal(added.added, 2);
    assert.equal(added.group.contactCount, 2);
    const again = await client.groups.addContacts(group.id, { contactIds: [a.id] });
    assert.equal(again.alreadyMembers, 1);

    const members = await client.groups.listContacts(group.id, { sort: "email", order: "asc" });
    assert.deepEqual(members.map((c) => c.id), [a.id, b.id]);
    assert.equal(members.meta.total, 2);
    const iterated = [];
    for await (const c of client.groups.iterateContacts(group.id, { perPage: 1 })) iterated.push(c.id);
    assert.equal(iterated.length, 2);

    const removed = await client.groups.removeContacts(group.id, { contactIds: [a.id] });
    assert.equal(removed.removed, 1);
    assert.equal(removed.group.contactCount, 1);

    const renamed = await client.groups.update(group.id, { name: "Hot leads" });
    assert.equal(renamed.name, "Hot leads");
    assert.equal((await client.groups.get(group.id)).name, "Hot leads");
    const listed = await client.groups.list({ name: "Hot" });
    assert.deepEqual(listed.map((g) => g.id), [group.id]);
    assert.equal((await client.groups.listAll()).length, 1);
    assert.deepEqual(await client.groups.delete(group.id), { id: group.id, deleted: true });
  });
});

describe("email accounts", () => {
  test("CRUD and the connection test", async () => {
    const smtp = new URL(await closedPort());
    const account = await client.emailAccounts.create({
      email: "sales@acme.example",
      name: "Sales",
      smtpHost: smtp.hostname,
      smtpPort: Number(smtp.port),
      smtpSecurity: "none",
      smtpPassword: "secret",
      sendGapSeconds: 0,
    });
    assert.match(account.id, /^acc_/);
    assert.equal(account.smtpSecurity, "none");
    assert.equal("smtpPassword" in account, false);

    const updated = await client.emailAccounts.update(account.id, { dailyLimit: 25, timezone: "Europe/Lisbon" });
    assert.equal(updated.dailyLimit, 25);
    assert.equal(updated.timezone, "Europe/Lisbon");
    assert.equal((await client.emailAccounts.get(account.id)).dailyLimit, 25);
    assert.deepEqual((await client.emailAccounts.list()).map((a) => a.id), [account.id]);
    assert.equal((await client.emailAccounts.listAll()).length, 1);

    // Nothing listens on that port: the check reports the failed connection step by step.
    const check = await client.emailAccounts.test(account.id);
    assert.equal(check.smtp.ok, false);
    assert.ok(check.smtp.steps.length >= 1);
    assert.equal(check.emailAccount.id, account.id);

    assert.deepEqual(await client.emailAccounts.delete(account.id), { id: account.id, deleted: true });
  });
});

describe("domains", () => {
  test("list, get, check, and a DKIM key made, refused twice, and deleted", async () => {
    const smtp = new URL(await closedPort());
    const account = await client.emailAccounts.create({
      email: "sales@acme.test",
      smtpHost: smtp.hostname,
      smtpPort: Number(smtp.port),
      smtpSecurity: "none",
      smtpPassword: "secret",
    });

    const page = await client.domains.list();
    const listed = page.find((d) => d.name === "acme.test");
    assert.ok(listed, "acme.test is listed");
    assert.ok(listed.emailAccountIds.includes(account.id));
    assert.equal(typeof page.meta.total, "number");
    assert.ok((await client.domains.listAll()).some((d) => d.name === "acme.test"));
    const walked = [];
    for await (const domain of client.domains.iterate({ perPage: 1 })) walked.push(domain.name);
    assert.ok(walked.includes("acme.test"));

    // DNS is a closed loopback port here: the check reports a problem, but it is made.
    const domain = await client.domains.get("acme.test");
    assert.equal(domain.name, "acme.test");
    assert.ok(domain.verdicts, "the domain has verdicts");
    assert.ok(["pass", "fail"].includes(domain.verdicts.gmailYahooBulk.status));
    assert.ok(["pass", "fail"].includes(domain.verdicts.microsoftHighVolume.status));
    assert.ok(domain.checkedAt, "the domain was checked");
    assert.deepEqual(domain.dkimKeys, []);

    const checked = await client.domains.check("acme.test");
    assert.equal(checked.name, "acme.test");
    assert.ok(checked.verdicts);
    assert.ok(Date.parse(checked.checkedAt) >= Date.parse(domain.checkedAt));

    const { key, domain: withKey } = await client.domains.createDkimKey("acme.test", { selector: "s1", algorithm: "ed25519" });
    assert.equal(key.selector, "s1");
    assert.equal(key.algorithm, "ed25519");
    assert.equal(key.state, "pending");
    assert.equal(key.record.type, "TXT");
    assert.equal(key.record.name, "s1._domainkey.acme.test");
    assert.ok(key.record.value.startsWith("v=DKIM1; k=ed25519; p="), key.record.value);
    assert.deepEqual(withKey.dkimKeys.map((k) => [k.selector, k.state]), [["s1", "pending"]]);

    await assert.rejects(client.domains.createDkimKey("acme.test", { selector: "s1", algorithm: "ed25519" }), (err) => {
      assert.ok(err instanceof ConflictError);
      assert.equal(err.code, "CONFLICT");
      return true;
    });
    await assert.rejects(client.domains.createDkimKey("acme.test", { selector: "not a selector!" }), ValidationError);
    // Not found in DNS yet: it cannot sign.
    await assert.rejects(client.domains.activateDkimKey("acme.test", "s1"), (err) => {
      assert.ok(err instanceof ConflictError);
      assert.equal(err.status, 409);
      return true;
    });
    await assert.rejects(client.domains.get("unknown.test"), (err) => {
      assert.ok(err instanceof NotFoundError);
      assert.equal(err.code, "NOT_FOUND");
      return true;
    });

    const afterDelete = await client.domains.deleteDkimKey("acme.test", "s1");
    assert.equal(afterDelete.name, "acme.test");
    assert.deepEqual(afterDelete.dkimKeys, []);
    assert.deepEqual((await client.domains.get("acme.test")).dkimKeys, []);
    await client.emailAccounts.delete(account.id);
  });
});

describe("campaigns", () => {
  test("create, update, enrol, start, pause, stats, sending status, delete", async () => {
    const smtp = new URL(await closedPort());
    const account = await client.emailAccounts.create({
      email: "outreach@acme.example",
      smtpHost: smtp.hostname,
      smtpPort: Number(smtp.port),
      smtpSecurity: "none",
      smtpPassword: "secret",
    });
    const group = await client.groups.create({ name: "Campaign group" });
    const contact = await client.contacts.create({ email: "target@example.com", firstName: "Tia" });
    const loner = await client.contacts.create({ email: "loner@example.com" });
    await client.groups.addContacts(group.id, { contactIds: [contact.id] });

    const campaign = await client.campaigns.create({
      name: "Q3 outreach",
      emailAccountId: account.id,
      steps: [
        { subject: "Hi {{firstName | there}}", body: "Hello!" },
        { subject: "", body: "Following up", delayDays: 3 },
      ],
      schedule: { timezone: "America/Sao_Paulo", days: [1, 2, 3, 4, 5], startTime: "09:00", endTime: "17:00" },
    });
    assert.match(campaign.id, /^cmp_/);
    assert.equal(campaign.status, "draft");
    assert.equal(campaign.steps.length, 2);
    assert.equal(campaign.steps[1].delayDays, 3);

    const renamed = await client.campaigns.update(campaign.id, { name: "Q3 outreach (v2)", dailyLimit: 40 });
    assert.equal(renamed.name, "Q3 outreach (v2)");
    assert.equal(renamed.dailyLimit, 40);
    assert.equal((await client.campaigns.get(campaign.id)).name, "Q3 outreach (v2)");

    const byGroup = await client.campaigns.addContacts(campaign.id, { groupId: group.id });
    assert.equal(byGroup.added, 1);
    const byIds = await client.campaigns.addContacts(campaign.id, { contactIds: [loner.id, contact.id] });
    assert.equal(byIds.added, 1);
    assert.equal(byIds.alreadyEnrolled, 1);
    assert.equal(byIds.campaign.contactCount, 2);

    const enrolments = await client.campaigns.listContacts(campaign.id);
    assert.equal(enrolments.meta.total, 2);
    assert.deepEqual(new Set(enrolments.map((e) => e.contact.id)), new Set([contact.id, loner.id]));
    const iterated = [];
    for await (const e of client.campaigns.iterateContacts(campaign.id, { perPage: 1 })) iterated.push(e.contact.email);
    assert.equal(iterated.length, 2);

    assert.equal((await client.campaigns.start(campaign.id)).status, "running");
    assert.equal((await client.campaigns.pause(campaign.id)).status, "paused");
    assert.deepEqual((await client.campaigns.list({ status: "paused" })).map((c) => c.id), [campaign.id]);
    assert.equal((await client.campaigns.listAll()).length, 1);

    const stats = await client.campaigns.getStats(campaign.id);
    assert.equal(stats.campaignId, campaign.id);
    assert.equal(stats.contacts, 2);
    assert.equal(typeof stats.openRate, "number");
    assert.equal(stats.steps.length, 2);
    const today = new Date().toISOString().slice(0, 10);
    const bounded = await client.campaigns.getStats(campaign.id, { from: today, to: today });
    assert.deepEqual(bounded.timeline.map((d) => d.date), [today]);

    const status = await client.campaigns.getSendingStatus(campaign.id);
    assert.equal(status.state, "paused");
    assert.equal(status.accounts[0].emailAccountId, account.id);

    assert.deepEqual(await client.campaigns.delete(campaign.id), { id: campaign.id, deleted: true });
  });
});

describe("webhooks", () => {
  test("CRUD, test event, secret rotation and deliveries", async () => {
    const receiver = await startReceiver();
    try {
      const hook = await client.webhooks.create({ url: receiver.url, events: ["contact.created"], description: "CRM" });
      assert.match(hook.id, /^whk_/);
      assert.match(hook.secret, /^whsec_/);
      assert.equal("secret" in (await client.webhooks.get(hook.id)), false);

      const updated = await client.webhooks.update(hook.id, { events: ["*"], description: "Everything" });
      assert.deepEqual(updated.events, ["*"]);
      assert.deepEqual((await client.webhooks.list()).map((w) => w.id), [hook.id]);
      assert.equal((await client.webhooks.listAll()).length, 1);

      const { eventId } = await client.webhooks.test(hook.id);
      assert.match(eventId, /^evt_/);
      const deliveries = await waitForDeliveries(hook.id, 1);
      assert.equal(deliveries[0].eventId, eventId);
      assert.equal(deliveries[0].eventType, "webhook.test");
      assert.equal(deliveries[0].success, true);
      assert.equal(deliveries.meta.total, 1);
      const iterated = [];
      for await (const d of client.webhooks.iterateDeliveries(hook.id)) iterated.push(d.eventId);
      assert.deepEqual(iterated, [eventId]);

      const rotated = await client.webhooks.rotateSecret(hook.id);
      assert.match(rotated.secret, /^whsec_/);
      assert.notEqual(rotated.secret, hook.secret);

      assert.deepEqual(await client.webhooks.delete(hook.id), { id: hook.id, deleted: true });
    } finally {
      await receiver.stop();
    }
  });
});

describe("suppressions", () => {
  test("add one and many, enforce on contacts, list with filters, delete with a reason", async () => {
    const added = await client.suppressions.add({ kind: "email", value: "Sup.Ana@Example.com" });
    assert.equal(added.created, 1);
    const [one] = added.items;
    assert.match(one.id, /^sup_/);
    assert.deepEqual([one.kind, one.value, one.source], ["email", "sup.ana@example.com", "manual"]);

    const many = await client.suppressions.addMany([
      { kind: "domain", value: "Sup-Blocked.example", source: "complaint" },
      { kind: "email", value: "sup.ana@example.com" },
    ]);
    assert.deepEqual([many.created, many.existing], [1, 1]);
    assert.equal(many.items[1].id, one.id);
    await assert.rejects(client.suppressions.addMany([{ kind: "domain", value: "not a domain" }]), ValidationError);

    const contact = await client.contacts.create({ email: "bo@sup-blocked.example" });
    assert.equal(contact.status, "unsubscribed");
    await assert.rejects(client.contacts.update(contact.id, { status: "active" }), (err) => {
      assert.ok(err instanceof ConflictError);
      assert.equal(err.code, "SUPPRESSED");
      return true;
    });

    const domains = await client.suppressions.list({ kind: "domain", value: "SUP-BLOCKED" });
    assert.deepEqual(domains.map((s) => s.value), ["sup-blocked.example"]);
    assert.deepEqual(domains.meta, { page: 1, perPage: 20, total: 1, totalPages: 1, totalIsEstimate: false, nextCursor: null });

    const deleted = await client.suppressions.delete(domains[0].id, "Partner domain");
    assert.deepEqual(deleted, { id: domains[0].id, deleted: true });
    assert.equal((await client.contacts.update(contact.id, { status: "active" })).status, "active");
    const left = await client.suppressions.listAll({ value: "sup" });
    assert.deepEqual(left.map((s) => s.id), [one.id]);
  });
});

describe("messages", () => {
  test("a sent email reads back exactly as the SMTP server received it, variant and spintax drawn", async () => {
    const sink = await startSmtpSink();
    try {
      const account = await client.emailAccounts.create({
        email: "ab@acme.example",
        smtpHost: "127.0.0.1",
        smtpPort: sink.port,
        smtpSecurity: "none",
        smtpPassword: "secret",
        sendGapSeconds: 0,
      });
      const contact = await client.contacts.create({ email: "variant@example.com", firstName: "Vera", company: "Initech" });
      const campaign = await client.campaigns.create({
        name: "A/B",
        emailAccountId: account.id,
        steps: [
          {
            variants: [
              { subject: "{{RANDOM | An idea | A thought}} for {{company}}", body: "{{RANDOM | Hi | Hello}} {{firstName}}, one idea.", weight: 1 },
              { subject: "Quick question, {{firstName}}", body: "Hi {{firstName}}, one question.", weight: 1 },
            ],
          },
          { subject: "", body: "Following up.", delayDays: 2, sendIf: "not_opened" },
        ],
        schedule: { timezone: "UTC", days: [1, 2, 3, 4, 5, 6, 7], startTime: "00:00", endTime: "23:59" },
        trackOpens: false,
        trackClicks: false,
      });
      assert.equal(campaign.steps[0].variants.length, 2);
      assert.match(campaign.steps[0].variants[0].id, /^var_/);
      assert.equal(campaign.steps[1].sendIf, "not_opened");
      await client.campaigns.addContacts(campaign.id, { contactIds: [contact.id] });
      await client.campaigns.start(campaign.id);

      let sent;
      for (let i = 0; i < 100 && !sent; i++) {
        const data = await client.graphql("query($id: ID!) { contact(id: $id) { messages { id state } } }", { id: contact.id });
        sent = data.contact.messages.find((m) => m.state === "sent");
        if (!sent) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(sent, "the first step was sent");
      const message = await client.messages.get(sent.id);
      assert.ok(campaign.steps[0].variants.some((v) => v.id === message.variantId));
      assert.equal(message.bodyText, null);
      assert.equal(sink.received.length, 1);
      const raw = sink.received[0];
      const headers = raw.slice(0, raw.indexOf("\r\n\r\n"));
      const body = raw.slice(raw.indexOf("\r\n\r\n") + 4);
      assert.ok(headers.includes(`Subject: ${message.subject}\r\n`), headers);
      assert.equal(body.replace(/(\r\n)+$/, ""), message.body);
      assert.ok(
        ["An idea for Initech", "A thought for Initech", "Quick question, Vera"].includes(message.subject),
        message.subject,
      );
      await assert.rejects(client.messages.get("msg_missing"), NotFoundError);

      // The message's seed makes the preview that very email.
      const again = await client.campaigns.preview(campaign.id, { contactId: contact.id, step: 1, seed: message.seed });
      assert.deepEqual([again.subject, again.body, again.variantId], [message.subject, message.body, message.variantId]);
      const plan = await client.campaigns.getContactPlan(campaign.id, contact.id);
      assert.deepEqual(plan.steps.map((s) => s.step), [2]);
      assert.ok(plan.steps[0].reasons.some((r) => r.code === "condition"));
      const test = await client.campaigns.sendTest(campaign.id, { to: "qa@example.com", contactId: contact.id, step: 1 });
      assert.equal(test.sent, true);
      for (let i = 0; i < 50 && sink.received.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok(sink.received[1].includes("qa@example.com"));
    } finally {
      sink.close();
    }
  });
});

describe("graphql", () => {
  test("answers data, with variables", async () => {
    await client.contacts.create({ email: "gql@example.com", company: "GraphCo" });
    const data = await client.graphql(
      "query($filter: ContactFilter) { contacts(filter: $filter) { items { email company } pageInfo { total } } }",
      { filter: { company: "GraphCo" } },
    );
    assert.deepEqual(data, { contacts: { items: [{ email: "gql@example.com", company: "GraphCo" }], pageInfo: { total: 1 } } });
  });

  test("throws the first error by its code", async () => {
    const error = await client.graphql('{ contact(id: "cnt_missing") { id } }').catch((e) => e);
    assert.ok(error instanceof NotFoundError);
    assert.equal(error.code, "NOT_FOUND");
    assert.equal(error.status, 404);
    assert.match(error.requestId, /^req_/);
    assert.deepEqual(error.details.path, ["contact"]);
  });
});

async function waitForDeliveries(id, count) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const page = await client.webhooks.deliveries(id);
    // A list's page and its total are read one after the other; wait until both show it.
    if (page.length >= count && page.meta.total >= count) return page;
    if (Date.now() > deadline) throw new Error("no delivery recorded");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
