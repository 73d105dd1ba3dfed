/** Editing a sequence: steps, their A/B variants (side by side), delays and conditions, with a
 * variable picker and the server's warnings and errors shown next to the field they concern. */
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import type { SendIf, StepInput } from '../gql/types';

export interface VariantDraft {
  id?: string;
  subject: string;
  body: string;
  weight: number;
}

export interface StepDraft {
  delayDays: number;
  sendIf: SendIf;
  variants: VariantDraft[];
}

/** What the server said about one field: a warning (`firstname` → `firstName`) or an error. */
export interface FieldNote {
  step: number;
  /** `subject`, `body`, `variants[1].subject`, `sendIf`, `delayDays`, … */
  part: string;
  variantId?: string | null;
  message: string;
  error?: boolean;
}

interface StepShown {
  delayDays: number;
  sendIf: SendIf;
  variants: { id: string; subject: string; body: string; weight: number }[];
}

export const SEND_IF: { value: SendIf; label: string }[] = [
  { value: 'always', label: 'Always' },
  { value: 'not_opened', label: 'Only if no earlier email was opened' },
  { value: 'opened', label: 'Only if an earlier email was opened' },
  { value: 'not_clicked', label: 'Only if nothing was clicked' },
  { value: 'clicked', label: 'Only if a link was clicked' },
];

const VARIABLES = ['firstName', 'lastName', 'company', 'email', 'phone', 'unsubscribeUrl'];

export function emptyStep(first: boolean): StepDraft {
  return { delayDays: first ? 0 : 3, sendIf: 'always', variants: [{ subject: '', body: '', weight: 1 }] };
}

/** A campaign's steps as drafts (variants keep their ids, so their figures stay theirs). */
export function draftsOf(steps: StepShown[]): StepDraft[] {
  return steps.map((s) => ({
    delayDays: s.delayDays,
    sendIf: s.sendIf,
    variants: s.variants.map((v) => ({ id: v.id, subject: v.subject, body: v.body, weight: v.weight })),
  }));
}

/** The drafts as the API takes them. */
export function stepInputs(steps: StepDraft[]): StepInput[] {
  return steps.map((s, i) => ({
    delayDays: i === 0 ? 0 : s.delayDays,
    sendIf: i === 0 ? 'always' : s.sendIf,
    variants: s.variants.map((v) => ({ id: v.id ?? null, subject: v.subject, body: v.body, weight: v.weight })),
  }));
}

/** A value kept in the browser until it is saved: a draft survives Close and a reload. */
export function useDraft<T>(key: string, initial: () => T): [T, (value: T) => void, () => void] {
  const [value, setValue] = useState<T>(() => {
    try {
      const kept = localStorage.getItem(key);
      if (kept) return JSON.parse(kept) as T;
    } catch {
      /* a draft that does not read starts afresh */
    }
    return initial();
  });
  useEffect(() => {
    try {
      localStorage.setItem(key, JSON.stringify(value));
    } catch {
      /* storage full or off: the draft lives as long as the page */
    }
  }, [key, value]);
  const clear = () => {
    try {
      localStorage.removeItem(key);
    } catch {
      /* nothing kept */
    }
  };
  return [value, setValue, clear];
}

/** Whether a draft is kept for `key`. */
export function hasDraft(key: string): boolean {
  try {
    return localStorage.getItem(key) !== null;
  } catch {
    return false;
  }
}

/** The field an API error names, as a note (or none when it names no step). */
export function noteOfError(error: unknown): FieldNote | null {
  if (!(error instanceof ApiError)) return null;
  const d = (error.details ?? {}) as { step?: number; part?: string; reason?: string };
  if (typeof d.step !== 'number' || typeof d.part !== 'string') return null;
  return { step: d.step, part: d.part, message: d.reason ?? error.message, error: true };
}

interface Props {
  steps: StepDraft[];
  onChange: (steps: StepDraft[]) => void;
  notes?: FieldNote[];
  /** Figures per variant id, shown beside each variant. */
  figures?: Map<string, string>;
  /** The variant each step's automatic winner picked. */
  winners?: Map<number, string>;
}

export function SequenceEditor({ steps, onChange, notes = [], figures, winners }: Props) {
  const setStep = (i: number, patch: Partial<StepDraft>) => onChange(steps.map((s, j) => (j === i ? { ...s, ...patch } : s)));
  const setVariant = (i: number, n: number, patch: Partial<VariantDraft>) =>
    setStep(i, { variants: steps[i].variants.map((v, m) => (m === n ? { ...v, ...patch } : v)) });
  const noteFor = (i: number, n: number, field: string, variant: VariantDraft) =>
    notes.filter(
      (note) =>
        note.step === i + 1 &&
        (note.part === `variants[${n}].${field}` ||
          (note.part === field && (note.error || !note.variantId || note.variantId === variant.id))),
    );
  const stepNotes = (i: number, part: string) => notes.filter((n) => n.step === i + 1 && n.part === part);
  return (
    <div class="sequence-editor">
      {steps.map((step, i) => (
        <div class="step-edit" key={i} data-testid={`step-${i + 1}`}>
          <h3>Step {i + 1}</h3>
          {i > 0 && (
            <div class="grid">
              <label class="inline">
                Wait
                <input
                  type="number"
                  min={0}
                  class="short"
                  value={step.delayDays}
                  onInput={(e) => setStep(i, { delayDays: Number(e.currentTarget.value) })}
                />
                days after step {i}
              </label>
              <label>
                Send
                <select value={step.sendIf} onChange={(e) => setStep(i, { sendIf: e.currentTarget.value as SendIf })}>
                  {SEND_IF.map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
                </select>
              </label>
            </div>
          )}
          {[...stepNotes(i, 'delayDays'), ...stepNotes(i, 'sendIf'), ...stepNotes(i, 'variants')].map((n) => (
            <p class="field-error" role="alert">
              {n.message}
            </p>
          ))}
          <div class="variants">
            {step.variants.map((v, n) => (
              <fieldset class="variant" key={n}>
                <legend>
                  {step.variants.length > 1 ? `Variant ${String.fromCharCode(65 + n)}` : 'Email'}
                  {v.id && winners?.get(i + 1) === v.id && <span class="badge">winner</span>}
                </legend>
                {v.id && figures?.get(v.id) && <p class="muted small">{figures.get(v.id)}</p>}
                <label>
                  Subject
                  <input
                    value={v.subject}
                    required={i === 0}
                    placeholder={i > 0 ? 'Empty: "Re: " the first subject' : 'Hi {{firstName | there}}'}
                    onInput={(e) => setVariant(i, n, { subject: e.currentTarget.value })}
                  />
                </label>
                {noteFor(i, n, 'subject', v).map((note) => (
                  <p class={note.error ? 'field-error' : 'field-warning'} role={note.error ? 'alert' : 'status'}>
                    {note.message}
                  </p>
                ))}
                <label>
                  Body
                  <textarea rows={6} value={v.body} onInput={(e) => setVariant(i, n, { body: e.currentTarget.value })} />
                </label>
                {noteFor(i, n, 'body', v).map((note) => (
                  <p class={note.error ? 'field-error' : 'field-warning'} role={note.error ? 'alert' : 'status'}>
                    {note.message}
                  </p>
                ))}
                <div class="variable-picker" role="group" aria-label="Insert a variable">
                  {VARIABLES.map((name) => (
                    <button type="button" class="small" key={name} onClick={() => setVariant(i, n, { body: `${v.body}{{${name}}}` })}>
                      {`{{${name}}}`}
                    </button>
                  ))}
                  <button
                    type="button"
                    class="small"
                    onClick={() => setVariant(i, n, { body: `${v.body}{{RANDOM | Hi | Hello}}` })}
                  >
                    spintax
                  </button>
                </div>
                {step.variants.length > 1 && (
                  <div class="grid">
                    <label class="inline">
                      Weight
                      <input
                        type="number"
                        min={0}
                        class="short"
                        value={v.weight}
                        onInput={(e) => setVariant(i, n, { weight: Number(e.currentTarget.value) })}
                      />
                    </label>
                    <button type="button" onClick={() => setStep(i, { variants: step.variants.filter((_, m) => m !== n) })}>
                      Remove variant {String.fromCharCode(65 + n)}
                    </button>
                  </div>
                )}
              </fieldset>
            ))}
          </div>
          <div class="actions">
            <button
              type="button"
              onClick={() => setStep(i, { variants: [...step.variants, { subject: step.variants[0]?.subject ?? '', body: '', weight: 1 }] })}
            >
              Add a variant to step {i + 1}
            </button>
            {i > 0 && (
              <button type="button" onClick={() => onChange(steps.filter((_, j) => j !== i))}>
                Remove step {i + 1}
              </button>
            )}
          </div>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...steps, emptyStep(false)])}>
        Add a follow-up
      </button>
      <p class="muted small">
        Variables: {'{{firstName}}'}, {'{{lastName}}'}, {'{{company}}'}, {'{{email}}'}, any custom field, with a fallback:{' '}
        {'{{firstName | there}}'}; spintax {'{{RANDOM | Hi | Hello}}'} picks one option per email.
      </p>
    </div>
  );
}
