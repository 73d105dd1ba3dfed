/** Small building blocks shared by the pages. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, describe } from '../api/client';

/** ISO weekdays 1–7 as shown. */
export const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload: () => void;
}

/** Loads data when `deps` change; `reload()` loads again keeping the old data on screen. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const run = ++latest.current;
    setLoading(true);
    load().then(
      (value) => {
        if (run !== latest.current) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (err) => {
        if (run !== latest.current) return;
        setError(describe(err));
        setLoading(false);
      },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}

/** Runs an action, keeping its pending state and its error for the form that started it. */
export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const run = async (...args: A): Promise<R | undefined> => {
    setPending(true);
    setError(undefined);
    try {
      return await action(...args);
    } catch (err) {
      setError(describe(err));
      return undefined;
    } finally {
      setPending(false);
    }
  };
  return { run, pending, error, setError };
}

export function ErrorNote({ error }: { error?: string }) {
  if (!error) return null;
  return (
    <p class="note error" role="alert">
      {error}
    </p>
  );
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p class="muted" role="status">
      {what}…
    </p>
  );
}

export function Badge({ value, tone }: { value: string; tone?: string }) {
  return <span class={`badge badge-${tone ?? value}`}>{value.replace(/_/g, ' ')}</span>;
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

interface PagerProps {
  page: number;
  totalPages: number;
  total: number;
  label: string;
  onPage: (page: number) => void;
  /** The total is an estimate (the list says so when counting it all would cost a scan). */
  estimate?: boolean;
  /** Whether a page follows (the list's next cursor); else judged from the page count. */
  hasNext?: boolean;
}

/** Previous/next buttons with "page x of y" for a paginated list; an estimate reads "about". */
export function Pager({ page, totalPages, total, label, onPage, estimate = false, hasNext }: PagerProps) {
  const about = estimate ? 'about ' : '';
  const counted = `${about}${total.toLocaleString('en')} ${total === 1 ? label.replace(/s$/, '') : label}`;
  const more = hasNext ?? page < totalPages;
  if (page <= 1 && !more) return <p class="muted pager-count">{counted}</p>;
  return (
    <nav class="pager" aria-label={`${label} pages`}>
      <button type="button" onClick={() => onPage(page - 1)} disabled={page <= 1}>
        ← Previous
      </button>
      <span>
        Page {page} of {about}
        {totalPages.toLocaleString('en')} · {counted}
      </span>
      <button type="button" onClick={() => onPage(page + 1)} disabled={!more}>
        Next →
      </button>
    </nav>
  );
}

interface ConfirmProps {
  label: string;
  confirm: string;
  onConfirm: () => void;
  disabled?: boolean;
  danger?: boolean;
}

/** A button that asks once more in place ("Revoke" → "Revoke this key?" Yes / No). */
export function ConfirmButton({ label, confirm, onConfirm, disabled, danger = true }: ConfirmProps) {
  const [asking, setAsking] = useState(false);
  const yes = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) yes.current?.focus();
  }, [asking]);
  if (!asking) {
    return (
      <button type="button" class={danger ? 'danger' : undefined} disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span class="confirm" role="group" aria-label={confirm}>
      <span>{confirm}</span>
      <button
        ref={yes}
        type="button"
        class={danger ? 'danger' : undefined}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        Yes
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        No
      </button>
    </span>
  );
}

/** Copies `value` to the clipboard; where the Clipboard API is missing (a page not served
 * over HTTPS) or refuses, through a selected hidden text area. Answers whether it worked. */
export async function copyText(value: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(value);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = value;
    area.setAttribute('readonly', '');
    area.className = 'copy-buffer';
    document.body.appendChild(area);
    area.select();
    let done = false;
    try {
      done = document.execCommand('copy');
    } catch {
      done = false;
    }
    area.remove();
    return done;
  }
}

/** A button that copies `value`: "Copy", then "Copied" (or, when the browser refuses, asks
 * to copy `what` by hand); `what` ("the value") completes its name for screen readers. */
export function CopyButton({ value, what }: { value: string; what: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => setState((await copyText(value)) ? 'copied' : 'failed');
  return (
    <button type="button" class="small" onClick={copy}>
      {state === 'failed' ? (
        `Not copied: select ${what} and copy it by hand`
      ) : (
        <>
          {state === 'copied' ? 'Copied' : 'Copy'}
          <span class="sr-only"> {what}</span>
        </>
      )}
    </button>
  );
}

/** A secret shown once, with a copy button. */
export function Secret({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => setCopied(await copyText(value));
  return (
    <div class="secret" role="status">
      <p>
        <strong>{label}</strong> It is shown only now: store it somewhere safe.
      </p>
      <code data-testid="secret">{value}</code>
      <button type="button" onClick={copy}>
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}

export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function percent(value: number): string {
  return `${value.toFixed(value >= 10 || value === 0 ? 0 : 1)}\u00a0%`;
}

/** The field an API error names (`details.field`), if any. */
export function fieldOf(error: unknown): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const field = (error.details as { field?: unknown } | undefined)?.field;
  return typeof field === 'string' ? field : undefined;
}

/** `useAction` that also keeps which field its last error named, so a form shows the error
 * beside that field (`errorAt`) and elsewhere only when it names none (`generalError`). */
export function useFieldAction<A extends unknown[], R>(action: (...args: A) => Promise<R>) {
  const [field, setField] = useState<string | undefined>(undefined);
  const inner = useAction(async (...args: A) => {
    setField(undefined);
    try {
      return await action(...args);
    } catch (err) {
      setField(fieldOf(err));
      throw err;
    }
  });
  const errorAt = (...names: string[]) =>
    inner.error && field && names.includes(field) ? (
      <p class="field-error" role="alert">
        {inner.error}
      </p>
    ) : null;
  return { ...inner, field, errorAt, generalError: field ? undefined : inner.error };
}
