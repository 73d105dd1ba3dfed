// Compiled (never run) by tests/contract/run.sh against the types openapi-typescript makes of
// /v1/openapi.json: if `data` were `unknown` or `any`, these lines would not type-check.
import type { paths } from "./types";

type Json<P extends keyof paths, M extends keyof paths[P], S extends number> =
  paths[P][M] extends { responses: infer R }
    ? S extends keyof R
      ? R[S] extends { content: { "application/json": infer B } }
        ? B
        : never
      : never
    : never;

declare const created: Json<"/v1/contacts", "post", 201>;
const email: string = created.data.email;
const firstName: string | null = created.data.firstName;
const seats: string | number | boolean | null | undefined = created.data.customFields["seats"];
// @ts-expect-error an email is a string, never a number
const wrong: number = created.data.email;

declare const campaigns: Json<"/v1/campaigns", "get", 200>;
const total: number = campaigns.meta.totalPages;
const status: "draft" | "running" | "paused" | "completed" = campaigns.data[0].status;
const delay: number = campaigns.data[0].steps[0].delayDays;

declare const stats: Json<"/v1/campaigns/{id}/stats", "get", 200>;
const replyRate: number = stats.data.replyRate;
const day: string = stats.data.timeline[0].date;

declare const refused: Json<"/v1/contacts", "post", 400>;
const code: "BAD_REQUEST" | "VALIDATION_ERROR" = refused.error.code;
const requestId: string = refused.error.details.requestId;

type NewCampaign = paths["/v1/campaigns"]["post"]["requestBody"] extends
  { content: { "application/json": infer B } } ? B : never;
const draft: NewCampaign = { name: "Q3", steps: [{ subject: "Hi", body: "Hello" }] };
// @ts-expect-error a campaign needs a name
const nameless: NewCampaign = { steps: [] };

export const used = [email, firstName, seats, wrong, total, status, delay, replyRate, day, code, requestId, draft, nameless];
