/** What the campaign page edits: its sequence (variants side by side with their figures), its
 * schedule, limits and switches; a preview rendered for a chosen contact; each contact's plan
 * ("why not now"), and held contacts' missing fields, fixed in place. */
import { useEffect, useState } from 'preact/hooks';
import { gql } from '../api/client';
import * as Docs from '../gql/documents';
import type { CampaignEditQuery, WinnerMetric } from '../gql/types';
import {
  type FieldNote,
  SequenceEditor,
  type StepDraft,
  draftsOf,
  hasDraft,
  noteOfError,
  stepInputs,
  useDraft,
} from '../components/SequenceEditor';
import { TimeZones } from '../components/TimeZones';
import { DAYS, ErrorNote, Loading, formatDate, percent, useAction, useFieldAction, useLoad } from '../components/ui';

type Edit = CampaignEditQuery['campaign'];
const BUILT_IN = ['firstName', 'lastName', 'company', 'phone', 'email'];

function editable(status: string): boolean {
  return status === 'draft' || status === 'paused';
}

/** The sequence: shown with each variant's figures; edited (while draft or paused) with the
 * draft kept in the browser until saved. */
export function SequenceSection({
  id,
  status,
  contacts,
  onSaved,
}: {
  id: string;
  status: string;
  contacts: Contactish[];
  onSaved: () => void;
}) {
  // Read again when the campaign starts or pauses (what may be edited changes).
  const loaded = useLoad(() => gql(Docs.CampaignEdit, { id }), [id, status]);
  const c = loaded.data?.campaign;
  if (!c) return loaded.loading ? <Loading what="Loading the sequence" /> : <ErrorNote error={loaded.error} />;
  return (
    <SequenceBody
      key={c.id}
      c={c}
      contacts={contacts}
      accounts={loaded.data?.emailAccounts.items ?? []}
      onSaved={() => {
        loaded.reload();
        onSaved();
      }}
    />
  );
}

type Contactish = { id: string; email: string };

function SequenceBody({
  c,
  accounts,
  contacts,
  onSaved,
}: {
  c: Edit;
  accounts: { id: string; email: string }[];
  contacts: Contactish[];
  onSaved: () => void;
}) {
  const key = `fz.draft.campaign.${c.id}.steps`;
  const [editing, setEditing] = useState(hasDraft(key));
  const [notes, setNotes] = useState<FieldNote[]>([]);
  const figures = new Map<string, string>();
  const winners = new Map<number, string>();
  for (const step of c.stats.steps) {
    if (step.winnerId) winners.set(step.step, step.winnerId);
    for (const v of step.variants) {
      figures.set(
        v.variantId,
        `${v.sent} emails sent · opened ${percent(v.openRate)} · clicked ${percent(v.clickRate)} · replied ${percent(v.replyRate)}`,
      );
    }
  }
  return (
    <section aria-labelledby="sequence">
      <div class="title-row">
        <h2 id="sequence">Sequence</h2>
        {!editing && (
          <button type="button" disabled={!editable(c.status)} onClick={() => setEditing(true)}>
            Edit steps
          </button>
        )}
      </div>
      {!editable(c.status) && !editing && <p class="muted small">Pause the campaign to edit its steps.</p>}
      {editing ? (
        <StepsForm c={c} contacts={contacts} draftKey={key} notes={notes} setNotes={setNotes} figures={figures} winners={winners} onDone={(saved) => {
          setEditing(false);
          if (saved) onSaved();
        }} />
      ) : (
        <div class="sequence-view">
          {c.steps.map((s) => (
            <div class="step-view" key={s.step}>
              <h3>
                Step {s.step}
                {s.step > 1 && (
                  <span class="muted small">
                    {' '}
                    · {s.delayDays} days after step {s.step - 1}
                    {s.sendIf !== 'always' && ` · only if ${s.sendIf.replace('_', ' ')}`}
                  </span>
                )}
              </h3>
              <div class="variants">
                {s.variants.map((v, n) => (
                  <div class="variant" key={v.id}>
                    <p>
                      <strong>{s.variants.length > 1 ? `Variant ${String.fromCharCode(65 + n)}` : 'Email'}</strong>
                      {winners.get(s.step) === v.id && <span class="badge">winner</span>}
                      {s.variants.length > 1 && <span class="muted small"> · weight {v.weight}</span>}
                    </p>
                    <p class="subject">{v.subject || <span class="muted">Re: the first subject</span>}</p>
                    <pre class="body">{v.body}</pre>
                    {figures.get(v.id) && <p class="muted small">{figures.get(v.id)}</p>}
                  </div>
                ))}
              </div>
            </div>
          ))}
        </div>
      )}
      <SettingsForm c={c} accounts={accounts} onSaved={onSaved} />
    </section>
  );
}

interface StepsFormProps {
  c: Edit;
  contacts: Contactish[];
  draftKey: string;
  notes: FieldNote[];
  setNotes: (notes: FieldNote[]) => void;
  figures: Map<string, string>;
  winners: Map<number, string>;
  onDone: (saved: boolean) => void;
}

function StepsForm({ c, contacts, draftKey, notes, setNotes, figures, winners, onDone }: StepsFormProps) {
  const [steps, setSteps, clear] = useDraft(draftKey, () => draftsOf(c.steps));
  const save = useAction(async () => {
    setNotes([]);
    try {
      const data = await gql(Docs.UpdateCampaign, { id: c.id, input: { steps: stepInputs(steps) } });
      clear();
      const warnings = data.updateCampaign.warnings.map((w) => ({
        step: w.step,
        part: w.part,
        variantId: w.variantId,
        message: w.message,
      }));
      setNotes(warnings);
      onDone(true);
    } catch (err) {
      const note = noteOfError(err);
      if (note) setNotes([note]);
      throw err;
    }
  });
  return (
    <form
      class="panel"
      aria-label="Edit the sequence"
      onSubmit={(e) => {
        e.preventDefault();
        save.run();
      }}
    >
      <SequenceEditor steps={steps} onChange={setSteps} notes={notes} figures={figures} winners={winners} />
      <LivePreview campaignId={c.id} contacts={contacts} steps={steps} />
      <ErrorNote error={save.error} />
      <div class="actions">
        <button type="submit" class="primary" disabled={save.pending}>
          Save steps
        </button>
        <button type="button" onClick={() => onDone(false)}>
          Close (keep the draft)
        </button>
        <button
          type="button"
          onClick={() => {
            clear();
            onDone(false);
          }}
        >
          Discard changes
        </button>
      </div>
    </form>
  );
}

/** Schedule (zone, per-contact zone, skip dates, night windows), limits, senders, switches and
 * the automatic A/B winner. */
function SettingsForm({ c, accounts, onSaved }: { c: Edit; accounts: { id: string; email: string }[]; onSaved: () => void }) {
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState(() => ({
    timezone: c.schedule.timezone,
    fallbackTimezone: c.schedule.fallbackTimezone ?? '',
    days: c.schedule.days,
    startTime: c.schedule.startTime,
    endTime: c.schedule.endTime,
    skipDates: c.schedule.skipDates.join(', '),
    dailyLimit: c.dailyLimit,
    trackOpens: c.trackOpens,
    trackClicks: c.trackClicks,
    stopOnReply: c.stopOnReply,
    oooPauseDays: c.oooPauseDays,
    senders: c.emailAccountIds,
    winner: (c.autoWinner?.metric ?? '') as WinnerMetric | '',
    minSent: c.autoWinner?.minSentPerVariant ?? 100,
  }));
  const set = (patch: Partial<typeof form>) => setForm({ ...form, ...patch });
  const save = useFieldAction(async () => {
    const canSenders = editable(c.status);
    await gql(Docs.UpdateCampaign, {
      id: c.id,
      input: {
        dailyLimit: form.dailyLimit,
        trackOpens: form.trackOpens,
        trackClicks: form.trackClicks,
        stopOnReply: form.stopOnReply,
        oooPauseDays: form.oooPauseDays,
        autoWinner: form.winner ? { metric: form.winner, minSentPerVariant: form.minSent } : null,
        schedule: {
          timezone: form.timezone,
          fallbackTimezone: form.fallbackTimezone || null,
          days: form.days,
          startTime: form.startTime,
          endTime: form.endTime,
          skipDates: form.skipDates
            .split(/[\s,]+/)
            .map((d) => d.trim())
            .filter(Boolean),
        },
        ...(canSenders && form.senders.length > 0
          ? { emailAccountId: form.senders[0], emailAccountIds: form.senders.slice(1) }
          : {}),
      },
    });
    setOpen(false);
    onSaved();
  });
  const errorAt = save.errorAt;
  if (!open) {
    return (
      <p>
        <button type="button" onClick={() => setOpen(true)}>
          Edit schedule, limits and senders
        </button>
      </p>
    );
  }
  return (
    <form
      class="panel"
      aria-label="Schedule, limits and senders"
      onSubmit={(e) => {
        e.preventDefault();
        save.run();
      }}
    >
      <h3>Schedule</h3>
      <div class="grid">
        <label>
          Time zone (or “contact”: each contact's own)
          <input list="time-zones" value={form.timezone} onInput={(e) => set({ timezone: e.currentTarget.value })} />
        </label>
        {errorAt('schedule.timezone')}
        <label>
          Zone of contacts without one
          <input list="time-zones" value={form.fallbackTimezone} placeholder="UTC" onInput={(e) => set({ fallbackTimezone: e.currentTarget.value })} />
        </label>
        {errorAt('schedule.fallbackTimezone')}
        <label>
          From
          <input type="time" value={form.startTime} onInput={(e) => set({ startTime: e.currentTarget.value })} />
        </label>
        <label>
          To (before “From”: across midnight)
          <input type="time" value={form.endTime} onInput={(e) => set({ endTime: e.currentTarget.value })} />
        </label>
        {errorAt('schedule.endTime')}
      </div>
      <TimeZones contact />
      <div class="days" role="group" aria-label="Sending days">
        {DAYS.map((label, i) => (
          <label class="check" key={label}>
            <input
              type="checkbox"
              checked={form.days.includes(i + 1)}
              onChange={(e) =>
                set({ days: e.currentTarget.checked ? [...form.days, i + 1].sort() : form.days.filter((d) => d !== i + 1) })
              }
            />
            {label}
          </label>
        ))}
      </div>
      <label>
        Skip dates (YYYY-MM-DD, comma separated)
        <input value={form.skipDates} placeholder="2026-12-24, 2026-12-25" onInput={(e) => set({ skipDates: e.currentTarget.value })} />
      </label>
      {errorAt('schedule.skipDates')}
      <h3>Limits and senders</h3>
      <div class="grid">
        <label>
          Daily limit (emails a day)
          <input type="number" min={1} value={form.dailyLimit} onInput={(e) => set({ dailyLimit: Number(e.currentTarget.value) })} />
        </label>
        {errorAt('dailyLimit')}
      </div>
      <div role="group" aria-label="Send from (rotation)">
        {accounts.map((a) => (
          <label class="check" key={a.id}>
            <input
              type="checkbox"
              disabled={!editable(c.status)}
              checked={form.senders.includes(a.id)}
              onChange={(e) =>
                set({ senders: e.currentTarget.checked ? [...form.senders, a.id] : form.senders.filter((s) => s !== a.id) })
              }
            />
            {a.email}
          </label>
        ))}
      </div>
      <h3>Switches</h3>
      <label class="check">
        <input type="checkbox" checked={form.trackOpens} onChange={(e) => set({ trackOpens: e.currentTarget.checked })} /> Track opens
      </label>
      <label class="check">
        <input type="checkbox" checked={form.trackClicks} onChange={(e) => set({ trackClicks: e.currentTarget.checked })} /> Track clicks
      </label>
      <label class="check">
        <input type="checkbox" checked={form.stopOnReply} onChange={(e) => set({ stopOnReply: e.currentTarget.checked })} /> Stop a
        contact's sequence when they reply
      </label>
      <div class="grid">
        <label>
          Days to wait after an out-of-office without a return date
          <input
            type="number"
            min={0}
            max={90}
            value={form.oooPauseDays}
            onInput={(e) => set({ oooPauseDays: Number(e.currentTarget.value) })}
          />
        </label>
        {errorAt('oooPauseDays')}
      </div>
      <div class="grid">
        <label>
          Pick the best variant by itself
          <select value={form.winner} onChange={(e) => set({ winner: e.currentTarget.value as WinnerMetric | '' })}>
            <option value="">No</option>
            <option value="reply">By replies</option>
            <option value="click">By clicks</option>
            <option value="open">By opens</option>
          </select>
        </label>
        <label>
          After this many emails per variant
          <input type="number" min={1} value={form.minSent} onInput={(e) => set({ minSent: Number(e.currentTarget.value) })} />
        </label>
        {errorAt('autoWinner.minSentPerVariant')}
      </div>
      <ErrorNote error={save.generalError} />
      <div class="actions">
        <button type="submit" class="primary" disabled={save.pending}>
          Save settings
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          Close
        </button>
      </div>
    </form>
  );
}

/** A step rendered for one contact exactly as it would go out. */
export function PreviewSection({ id, steps, contacts }: { id: string; steps: { step: number }[]; contacts: { id: string; email: string }[] }) {
  const [contactId, setContactId] = useState('');
  const [step, setStep] = useState(1);
  const chosen = contactId || contacts[0]?.id || '';
  const preview = useLoad(
    () => (chosen ? gql(Docs.CampaignPreview, { id, contactId: chosen, step }) : Promise.resolve(undefined)),
    [id, chosen, step],
  );
  const p = preview.data?.campaign.preview;
  return (
    <section aria-labelledby="preview">
      <h2 id="preview">Preview</h2>
      {contacts.length === 0 ? (
        <p class="muted">Enrol a contact to preview its emails.</p>
      ) : (
        <div class="filters">
          <label>
            For
            <select value={chosen} onChange={(e) => setContactId(e.currentTarget.value)}>
              {contacts.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.email}
                </option>
              ))}
            </select>
          </label>
          <label>
            Step
            <select value={step} onChange={(e) => setStep(Number(e.currentTarget.value))}>
              {steps.map((s) => (
                <option key={s.step} value={s.step}>
                  {s.step}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={preview.reload}>
            Draw again
          </button>
        </div>
      )}
      <ErrorNote error={preview.error} />
      {p && (
        <div class="preview" data-testid="preview">
          <p>
            <span class="muted">To</span> {p.to} · <span class="muted">Subject</span> <strong data-testid="preview-subject">{p.subject}</strong>
          </p>
          {p.bodyText !== null ? (
            <iframe title="The email as it would go out" sandbox="" srcdoc={p.body} class="preview-frame" />
          ) : (
            <pre class="body" data-testid="preview-body">{p.body}</pre>
          )}
        </div>
      )}
    </section>
  );
}

/** A contact's plan: when each remaining step goes, and why there. */
export function PlanOf({ id, contactId }: { id: string; contactId: string }) {
  const plan = useLoad(() => gql(Docs.ContactPlan, { id, contactId }), [id, contactId]);
  const p = plan.data?.campaign.plan;
  if (!p) return plan.loading ? <Loading what="Working out the plan" /> : <ErrorNote error={plan.error} />;
  if (p.steps.length === 0) return <p class="muted small">Nothing left to send ({p.state}).</p>;
  return (
    <ol class="plan" data-testid="plan">
      {p.steps.map((s) => (
        <li key={s.step}>
          Step {s.step}: {s.plannedAt ? formatDate(s.plannedAt) : 'when the campaign starts'}
          <ul>
            {s.reasons.map((r) => (
              <li key={r.code}>{r.message}</li>
            ))}
          </ul>
        </li>
      ))}
    </ol>
  );
}

/** A held contact's missing field, set in place: its email is due again at once. */
export function FixField({
  contactId,
  field,
  customFields,
  onFixed,
}: {
  contactId: string;
  field: string;
  customFields: unknown;
  onFixed: () => void;
}) {
  const [value, setValue] = useState('');
  const fix = useAction(async () => {
    const input = BUILT_IN.includes(field)
      ? { [field]: value }
      : { customFields: { ...((customFields as Record<string, unknown>) ?? {}), [field]: value } };
    await gql(Docs.UpdateContact, { id: contactId, input });
    onFixed();
  });
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        fix.run();
      }}
    >
      <label class="inline">
        Set {field}
        <input required value={value} onInput={(e) => setValue(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={fix.pending}>
        Save
      </button>
      <ErrorNote error={fix.error} />
    </form>
  );
}

/** The draft being edited, rendered for a chosen contact as it would go out, as it is typed. */
function LivePreview({ campaignId, contacts, steps }: { campaignId: string; contacts: Contactish[]; steps: StepDraft[] }) {
  const [contactId, setContactId] = useState('');
  const [at, setAt] = useState('0:0');
  const [settled, setSettled] = useState('');
  const chosen = contactId || contacts[0]?.id || '';
  const [stepIndex, variantIndex] = at.split(':').map(Number);
  const variant = steps[stepIndex]?.variants[variantIndex] ?? steps[0]?.variants[0];
  const key = JSON.stringify([chosen, stepIndex, variant?.subject, variant?.body]);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(key), 400);
    return () => clearTimeout(timer);
  }, [key]);
  const preview = useLoad(
    () =>
      chosen && variant && settled === key
        ? gql(Docs.CampaignPreview, {
            id: campaignId,
            contactId: chosen,
            // A step saved already (the draft's own text stands in for it); a new one previews
            // in the first step's place.
            step: Math.min(stepIndex + 1, Math.max(1, savedSteps(steps))),
            subject: variant.subject,
            body: variant.body,
          })
        : Promise.resolve(undefined),
    [settled],
  );
  if (contacts.length === 0) return null;
  const p = preview.data?.campaign.preview;
  return (
    <section class="panel" aria-label="Live preview">
      <div class="filters">
        <label>
          Preview for
          <select value={chosen} onChange={(e) => setContactId(e.currentTarget.value)}>
            {contacts.map((k) => (
              <option key={k.id} value={k.id}>
                {k.email}
              </option>
            ))}
          </select>
        </label>
        <label>
          Of
          <select value={at} onChange={(e) => setAt(e.currentTarget.value)}>
            {steps.flatMap((s, i) =>
              s.variants.map((_, n) => (
                <option key={`${i}:${n}`} value={`${i}:${n}`}>
                  Step {i + 1}
                  {s.variants.length > 1 ? ` · variant ${String.fromCharCode(65 + n)}` : ''}
                </option>
              )),
            )}
          </select>
        </label>
      </div>
      <ErrorNote error={preview.error} />
      {p && (
        <div class="preview" data-testid="live-preview">
          <p>
            <span class="muted">Subject</span> <strong>{p.subject}</strong>
          </p>
          {p.bodyText !== null ? (
            <iframe title="The draft as it would go out" sandbox="" srcdoc={p.body} class="preview-frame" />
          ) : (
            <pre class="body">{p.body}</pre>
          )}
        </div>
      )}
    </section>
  );
}

/** How many steps a draft's campaign has saved (a new step has no saved variant yet). */
function savedSteps(steps: StepDraft[]): number {
  return steps.filter((s) => s.variants.some((v) => v.id)).length;
}
