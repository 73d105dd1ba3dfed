// Compiled, never run (test.sh: tsc -p test/types): the public types as a user of the built
// package sees them. Nothing is `any`, the API's fields and enums come through, and misuse
// does not compile.
import {
  FluenzrClient,
  RateLimitError,
  type Campaign,
  type CampaignCreateParams,
  type CampaignStats,
  type Contact,
  type ContactBatchResult,
  type ContactCreateParams,
  type DkimKey,
  type DkimKeyCreated,
  type Domain,
  type EmailAccount,
  type Enrolment,
  type ErrorCode,
  type Group,
  type Import,
  type ImportRowError,
  type ListMeta,
  type Page,
  type Suppression,
  type SuppressionsAdded,
  type Webhook,
  type WebhookDelivery,
  type WebhookEvent,
  type WebhookWithSecret,
} from "../../dist/index.js";

type IsAny<T> = 0 extends 1 & T ? true : false;
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

/** True when `any` hides anywhere in a data type (fields, items, nested objects). */
type HasAny<T, Depth extends unknown[] = []> = Depth["length"] extends 10
  ? false
  : IsAny<T> extends true
    ? true
    : T extends readonly (infer Item)[]
      ? HasAny<Item, [...Depth, 0]>
      : T extends object
        ? true extends { [K in keyof T]-?: HasAny<T[K], [...Depth, 0]> }[keyof T]
          ? true
          : false
        : false;

/** Names of the methods of `R` that take or give `any`. */
type AnyMethods<R> = {
  [K in keyof R]: R[K] extends (...args: infer Args) => infer Result
    ? true extends IsAny<Awaited<Result>> | { [I in keyof Args]: IsAny<Args[I]> }[number]
      ? K
      : Result extends AsyncGenerator<infer Item> ? (HasAny<Item> extends true ? K : never) : HasAny<Awaited<Result>> extends true ? K : never
    : never;
}[keyof R];

type Client = FluenzrClient;
export type NoAny = [
  Expect<Equal<HasAny<Contact>, false>>,
  Expect<Equal<HasAny<ContactCreateParams>, false>>,
  Expect<Equal<HasAny<ContactBatchResult>, false>>,
  Expect<Equal<HasAny<Group>, false>>,
  Expect<Equal<HasAny<EmailAccount>, false>>,
  Expect<Equal<HasAny<Campaign>, false>>,
  Expect<Equal<HasAny<CampaignCreateParams>, false>>,
  Expect<Equal<HasAny<CampaignStats>, false>>,
  Expect<Equal<HasAny<Enrolment>, false>>,
  Expect<Equal<HasAny<Webhook>, false>>,
  Expect<Equal<HasAny<WebhookWithSecret>, false>>,
  Expect<Equal<HasAny<WebhookDelivery>, false>>,
  Expect<Equal<HasAny<WebhookEvent>, false>>,
  Expect<Equal<HasAny<ListMeta>, false>>,
  Expect<Equal<HasAny<Import>, false>>,
  Expect<Equal<AnyMethods<Client["imports"]>, never>>,
  Expect<Equal<AnyMethods<Client["contacts"]>, never>>,
  Expect<Equal<AnyMethods<Client["groups"]>, never>>,
  Expect<Equal<AnyMethods<Client["emailAccounts"]>, never>>,
  Expect<Equal<AnyMethods<Client["campaigns"]>, never>>,
  Expect<Equal<AnyMethods<Client["webhooks"]>, never>>,
  Expect<Equal<HasAny<Suppression>, false>>,
  Expect<Equal<HasAny<SuppressionsAdded>, false>>,
  Expect<Equal<AnyMethods<Client["suppressions"]>, never>>,
  Expect<Equal<HasAny<Domain>, false>>,
  Expect<Equal<HasAny<DkimKeyCreated>, false>>,
  Expect<Equal<AnyMethods<Client["domains"]>, never>>,
  Expect<Equal<AnyMethods<Client>, never>>,
];

// The API's fields and enums come through.
export type Shapes = [
  Expect<Equal<Contact["email"], string>>,
  Expect<Equal<Contact["firstName"], string | null>>,
  Expect<Equal<Contact["status"], "active" | "unsubscribed" | "bounced">>,
  Expect<Equal<Campaign["status"], "draft" | "running" | "paused" | "completed">>,
  Expect<Equal<CampaignStats["openRate"], number>>,
  Expect<Equal<ListMeta, {
    page: number; perPage: number; total: number; totalPages: number; totalIsEstimate: boolean; nextCursor: string | null;
  }>>,
  Expect<Equal<Awaited<ReturnType<Client["contacts"]["list"]>>, Page<Contact>>>,
  Expect<Equal<Awaited<ReturnType<Client["campaigns"]["getStats"]>>, CampaignStats>>,
  Expect<Equal<ErrorCode extends string ? true : false, true>>,
  Expect<Equal<Import["duplicates"], "skip" | "update">>,
  Expect<Equal<Import["groupId"], string | null>>,
  Expect<Equal<ImportRowError, { row: number; column: string | null; message: string }>>,
  Expect<Equal<Awaited<ReturnType<Client["contacts"]["import"]>>, Import>>,
  Expect<Equal<Awaited<ReturnType<Client["imports"]["wait"]>>, Import>>,
  Expect<Equal<Suppression["kind"], "email" | "domain">>,
  Expect<Equal<Suppression["source"], "unsubscribe" | "bounce" | "complaint" | "reply" | "manual">>,
  Expect<Equal<ErrorCode extends infer C ? ("SUPPRESSED" extends C ? true : false) : false, true>>,
  Expect<Equal<DkimKey["state"], "pending" | "published" | "active">>,
  Expect<Equal<DkimKeyCreated["key"], DkimKey>>,
  Expect<Equal<Domain["checkedAt"], string | null>>,
  Expect<Equal<Awaited<ReturnType<Client["domains"]["list"]>>, Page<Domain>>>,
  Expect<Equal<Awaited<ReturnType<Client["domains"]["activateDkimKey"]>>, Domain>>,
];

declare const client: FluenzrClient;

export async function usage(): Promise<void> {
  const contacts = await client.contacts.list({ perPage: 50, sort: "email", order: "asc" });
  for (const contact of contacts) contact.email.toLowerCase();
  const pages: number = contacts.meta.totalPages;

  for await (const campaign of client.campaigns.iterate({ status: "running" })) {
    const stats = await client.campaigns.getStats(campaign.id);
    stats.replyRate.toFixed(2);
  }
  await client.campaigns.addContacts("cmp_1", { groupId: "grp_1" });
  await client.campaigns.addContacts("cmp_1", { contactIds: ["cnt_1"] });

  const event = await FluenzrClient.webhooks.verify("{}", {}, "whsec_x");
  if (event.type === "contact.created") event.data.email.toLowerCase();
  if (event.type === "campaign.started") event.data.steps.length;

  try {
    await client.contacts.get("cnt_1");
  } catch (error) {
    if (error instanceof RateLimitError) {
      const wait: number | undefined = error.retryAfter;
      const code: string = error.code;
      void [wait, code];
    }
  }
  const imp = await client.contacts.import("email\nana@example.com\n", {
    groupId: "grp_1",
    duplicates: "update",
    mapping: { "E-mail": "email", Plan: "customFields.plan" },
  });
  await client.contacts.import(new Uint8Array([101]));
  await client.contacts.import(new Blob(["email\n"]), {}, { idempotencyKey: "csv-1" });
  const done = await client.imports.wait(imp.id, {
    intervalMs: 500,
    timeoutMs: 60_000,
    onProgress: (p) => void p.processed.toFixed(0),
  });
  for (const failure of done.errors) failure.row.toFixed(0);

  for await (const domain of client.domains.iterate({ perPage: 100 })) {
    for (const problem of domain.verdicts?.gmailYahooBulk.problems ?? []) problem.fix.toLowerCase();
  }
  const { key, domain } = await client.domains.createDkimKey("example.com", { algorithm: "ed25519", selector: "s1" });
  key.record.value.startsWith("v=DKIM1");
  domain.dkimKeys.map((k) => k.selector);
  await client.domains.createDkimKey("example.com");
  void pages;
}

export async function misuse(): Promise<void> {
  // @ts-expect-error email is required
  await client.contacts.create({ firstName: "Ana" });
  // @ts-expect-error not a contact status
  await client.contacts.list({ status: "archived" });
  // @ts-expect-error not a sortable field
  await client.contacts.list({ sort: "shoeSize" });
  // @ts-expect-error a campaign needs a name
  await client.campaigns.create({ steps: [] });
  // @ts-expect-error contactIds is a list
  await client.groups.addContacts("grp_1", { contactIds: "cnt_1" });
  // @ts-expect-error not an event type
  await client.webhooks.create({ url: "https://example.com", events: ["contact.exploded"] });
  // @ts-expect-error not a duplicates policy
  await client.contacts.import("email\n", { duplicates: "merge" });
  // @ts-expect-error the mapping is an object, not JSON text
  await client.contacts.import("email\n", { mapping: '{"E-mail":"email"}' });
  // @ts-expect-error a CSV is text or bytes
  await client.contacts.import({ email: "ana@example.com" });
  // @ts-expect-error not a DKIM algorithm
  await client.domains.createDkimKey("example.com", { algorithm: "rsa-1024" });
  // @ts-expect-error a key is named by its selector
  await client.domains.activateDkimKey("example.com");
  const contact = await client.contacts.get("cnt_1");
  // @ts-expect-error firstName may be null
  contact.firstName.toLowerCase();
}
