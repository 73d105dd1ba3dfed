// The package as users get it: `npm pack`, installed into a clean project, imported as ESM and
// type-checked from there; then the README's examples (the API page's three, as written there)
// run in that project against a real server.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { FluenzrClient } from "../dist/index.js";
import { startProxy, startServer } from "./helpers.mjs";

const run = promisify(execFile);
const SDK = dirname(dirname(fileURLToPath(import.meta.url)));
const README = join(SDK, "README.md");

let work;
let project;
let packed;

before(async () => {
  work = await mkdtemp(join(tmpdir(), "fluenzr-sdk-pack-"));
  // dist/ was just built by test.sh; --ignore-scripts skips the prepack rebuild.
  const { stdout } = await run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], { cwd: SDK });
  [packed] = JSON.parse(stdout);
  project = join(work, "project");
  await run("mkdir", ["-p", project]);
  await writeFile(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  await run("npm", ["install", join(work, packed.filename), "--offline", "--no-audit", "--no-fund"], { cwd: project });
});
after(() => rm(work, { recursive: true, force: true }));

test("the tarball holds the build, the types, README, CHANGELOG and nothing else", () => {
  const files = packed.files.map((f) => f.path).sort();
  for (const file of ["package.json", "README.md", "CHANGELOG.md", "dist/index.js", "dist/index.d.ts", "dist/generated/openapi.d.ts"]) {
    assert.ok(files.includes(file), `${file} is missing from the tarball`);
  }
  assert.deepEqual(files.filter((f) => !/^(dist\/|package\.json$|README\.md$|CHANGELOG\.md$)/.test(f)), []);
  assert.equal(packed.version, "0.2.0");
});

test("the installed package imports as ESM and has no runtime dependencies", async () => {
  const script = `
    import * as sdk from '@fluenzr/sdk';
    import pkg from '@fluenzr/sdk/package.json' with { type: 'json' };
    console.log(JSON.stringify({ exports: Object.keys(sdk).sort(), version: sdk.VERSION, pkgVersion: pkg.version, deps: pkg.dependencies ?? {} }));
  `;
  const { stdout } = await run("node", ["--input-type=module", "-e", script], { cwd: project });
  const loaded = JSON.parse(stdout);
  for (const name of ["FluenzrClient", "FluenzrError", "NotFoundError", "RateLimitError", "ConnectionError", "verifyWebhook"]) {
    assert.ok(loaded.exports.includes(name), `${name} is not exported`);
  }
  assert.equal(loaded.version, "0.2.0");
  assert.equal(loaded.pkgVersion, "0.2.0");
  assert.deepEqual(loaded.deps, {});
});

test("the installed type declarations type-check a strict TypeScript consumer", async () => {
  await writeFile(
    join(project, "consumer.ts"),
    `import { FluenzrClient, RateLimitError, type Contact, type Page } from '@fluenzr/sdk';

const client = new FluenzrClient({ apiKey: 'your-api-key' });
const contacts: Page<Contact> = await client.contacts.list();
const total: number = contacts.meta.totalPages;
const email: string | undefined = contacts[0]?.email;
const stats = await client.campaigns.getStats('cmp_1');
const rate: number = stats.replyRate;
// @ts-expect-error a contact needs an email
await client.contacts.create({ firstName: 'Ana' });
try { await client.contacts.get('cnt_1'); } catch (e) { if (e instanceof RateLimitError) { const s: number | undefined = e.retryAfter; void s; } }
export { total, email, rate };
`,
  );
  const tsc = join(SDK, "node_modules", "typescript", "bin", "tsc");
  await run("node", [tsc, "--noEmit", "--strict", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext", "consumer.ts"], {
    cwd: project,
  });
});

// The README's examples, run from their own files in the clean project.

/** Every `<!-- example: name -->` code block of the README, by name. */
async function readmeExamples() {
  const text = await readFile(README, "utf8");
  const examples = new Map();
  for (const match of text.matchAll(/<!-- example: ([\w-]+) -->\n```javascript\n([\s\S]*?)```/g)) {
    examples.set(match[1], match[2]);
  }
  return examples;
}

/** The stand-in for the CRM the page's first example reads from. */
const CRM_CONTACTS = [
  { email: "joana@crm.example", first_name: "Joana", last_name: "Pereira", company: "Acme" },
  { email: "rui@crm.example", first_name: "Rui", last_name: "Costa", company: "Globex" },
];

/**
 * What the page leaves for its reader to supply: a client named `fluenzr` (or `client`), a
 * `myCRM`. Only names the example uses and does not declare itself are defined.
 */
function prelude(code) {
  const declares = (name) => new RegExp(`\\b(const|let|var)\\s+${name}\\b`).test(code);
  const uses = (name) => new RegExp(`\\b${name}\\b`).test(code);
  const lines = ["import { FluenzrClient as SdkClient } from '@fluenzr/sdk';"];
  for (const name of ["fluenzr", "client"]) {
    if (uses(name) && !declares(name)) lines.push(`const ${name} = new SdkClient();`);
  }
  if (uses("myCRM") && !declares("myCRM")) {
    lines.push(`const myCRM = { async getNewContacts() { return ${JSON.stringify(CRM_CONTACTS)}; } };`);
  }
  return lines.join("\n") + "\n";
}

let server;
let proxy;
let direct;
let account;
let group;
let examples;
// The page's placeholders, and the real values the proxy puts in their place.
const placeholders = new Map();

async function runExample(name, epilogue = "") {
  const code = examples.get(name);
  assert.ok(code, `the README has no example "${name}"`);
  const file = join(project, `${name}.mjs`);
  await writeFile(file, prelude(code) + code + epilogue);
  const { stdout } = await run("node", [file], {
    cwd: project,
    env: { ...process.env, FLUENZR_BASE_URL: proxy.url, FLUENZR_API_KEY: server.apiKey },
  });
  return stdout;
}

before(async () => {
  examples = await readmeExamples();
  server = await startServer();
  direct = new FluenzrClient({ apiKey: server.apiKey, baseUrl: server.baseUrl });
  account = await direct.emailAccounts.create({
    email: "sales@acme.example",
    smtpHost: "127.0.0.1",
    smtpPort: 9,
    smtpSecurity: "none",
    smtpPassword: "unused",
  });
  group = await direct.groups.create({ name: "Q1 leads" });
  const lead = await direct.contacts.create({ email: "lead@example.com", firstName: "Lia" });
  await direct.groups.addContacts(group.id, { contactIds: [lead.id] });

  placeholders.set("your-api-key", server.apiKey);
  placeholders.set("acc_123", account.id);
  placeholders.set("grp_456", group.id);
  // The examples' requests go through a proxy that fills in what the page leaves to its reader:
  // the API key, the ids of the reader's email account and group, and the campaign's steps
  // (`// ...` in the page's campaign example; a campaign needs a step before it can start).
  proxy = await startProxy(server.baseUrl, {
    rewrite(text) {
      let out = text;
      for (const [placeholder, real] of placeholders) out = out.replaceAll(placeholder, real);
      return out;
    },
    plan(request) {
      if (request.method === "POST" && request.path === "/v1/campaigns") {
        const body = JSON.parse(request.body);
        if (body.steps === undefined) {
          request.body = JSON.stringify({ ...body, steps: [{ subject: "Hi {{firstName | there}}", body: "Hello from the Q1 campaign" }] });
        }
      }
      return "forward";
    },
  });
});
after(async () => {
  await proxy?.stop();
  await server?.stop();
});

test("README quick start (the page's SDK snippet) runs as written", async () => {
  const out = await runExample("quickstart", "\nconsole.log(JSON.stringify({ count: contacts.length, meta: contacts.meta }));\n");
  assert.deepEqual(JSON.parse(out), { count: 1, meta: { page: 1, perPage: 20, total: 1, totalPages: 1, totalIsEstimate: false, nextCursor: null } });
  assert.equal(proxy.requests.at(-1).headers.authorization, "Bearer your-api-key");
});

test("the page's example 'Sincronizar um CRM' runs as written", async () => {
  await runExample("crm");
  for (const crm of CRM_CONTACTS) {
    const [contact] = await direct.contacts.list({ email: crm.email });
    assert.ok(contact, `${crm.email} was not created`);
    assert.equal(contact.firstName, crm.first_name);
    assert.equal(contact.lastName, crm.last_name);
    assert.equal(contact.company, crm.company);
  }
});

test("the page's example 'Automatizar uma campanha' runs as written", async () => {
  await runExample("campaign");
  const [campaign] = await direct.campaigns.list();
  assert.equal(campaign.name, "Automated Q1 2025");
  assert.equal(campaign.emailAccountId, account.id);
  assert.equal(campaign.status, "running");
  assert.equal(campaign.contactCount, 1);
  const enrolled = await direct.campaigns.listContacts(campaign.id);
  assert.equal(enrolled[0].contact.email, "lead@example.com");
});

test("the page's example 'Exportar estatísticas' runs as written", async () => {
  const out = await runExample("stats");
  assert.equal(out, "Automated Q1 2025: 0% aberturas, 0% respostas\n");
});

test("README pagination, errors, retries and GraphQL examples run as written", async () => {
  // Three contacts by then: the group's lead and the two from the CRM
  const pages = await runExample("pagination");
  assert.deepEqual(pages.split("\n").sort(), ["", "3", "3 3 1", "joana@crm.example", "lead@example.com", "rui@crm.example"]);

  const errors = await runExample("errors");
  assert.match(errors, /^404 NOT_FOUND Contact not found req_\w+\nVALIDATION_ERROR email\n$/);

  assert.equal(await runExample("retries"), "true\n");

  const graphql = await runExample("graphql");
  assert.equal(graphql, "Automated Q1 2025 0\n");
});

test("README 'Importing a CSV' runs as written", async () => {
  await writeFile(
    join(project, "leads.csv"),
    "E-mail,Vorname,Plan,Notes\nlead@example.com,Lia Maria,gold,met at the fair\nnova@example.com,Nova,silver,\nbroken,Bad,,\n",
  );
  const lines = (await runExample("import")).trimEnd().split("\n");
  assert.match(lines[0], /^\d+ of 3 rows$/);
  assert.deepEqual(lines.slice(-3), ["3 of 3 rows", "completed 1 1 1", "line 4, E-mail: Email 'broken' is not a valid address"]);

  const [lead] = await direct.contacts.list({ email: "lead@example.com" });
  assert.equal(lead.firstName, "Lia Maria");
  assert.deepEqual(lead.customFields, { plan: "gold" });
  const [nova] = await direct.contacts.list({ email: "nova@example.com" });
  assert.deepEqual(nova.groupIds, [group.id]);
  assert.equal((await direct.groups.get(group.id)).contactCount, 2);
});
