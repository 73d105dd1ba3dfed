import { useEffect, useRef, useState } from 'preact/hooks';
import { describe } from '../api/client';
import {
  FIELDS,
  decodeStart,
  followImport,
  guessTarget,
  progressOf,
  readHeader,
  startImport,
  type ContactImport,
  type Target,
} from '../api/imports';
import type { GroupOptionsQuery } from '../gql/types';
import { ErrorNote } from './ui';

type GroupOption = GroupOptionsQuery['groups']['items'][number];

const LABELS: Record<string, string> = {
  email: 'Email',
  firstName: 'First name',
  lastName: 'Last name',
  company: 'Company',
  phone: 'Phone',
};

function targetLabel(target: Target): string {
  if (target === 'ignore') return 'Ignore';
  if (target.startsWith('customFields.')) return `Custom field “${target.slice('customFields.'.length)}”`;
  return LABELS[target] ?? target;
}

/** Upload a CSV file, map its columns, and watch the import job until it is done. */
export function ImportCsv({ groups, onFinished }: { groups: GroupOption[]; onFinished: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [columns, setColumns] = useState<string[]>([]);
  const [mapping, setMapping] = useState<Record<string, Target>>({});
  const [groupId, setGroupId] = useState('');
  const [duplicates, setDuplicates] = useState<'skip' | 'update'>('skip');
  const [job, setJob] = useState<ContactImport | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const stop = useRef<AbortController | null>(null);

  useEffect(() => () => stop.current?.abort(), []);

  const choose = async (picked: File | null) => {
    setFile(picked);
    setJob(null);
    setError(undefined);
    setMapping({});
    setColumns([]);
    if (!picked) return;
    const head = new Uint8Array(await picked.slice(0, 64 * 1024).arrayBuffer());
    const { columns: found } = readHeader(decodeStart(head));
    if (found.length === 0 || (found.length === 1 && found[0] === '')) setError('This file has no header row.');
    setColumns(found);
  };

  const submit = async () => {
    if (!file) return;
    setBusy(true);
    setError(undefined);
    stop.current?.abort();
    stop.current = new AbortController();
    try {
      const queued = await startImport(file, { groupId: groupId || undefined, duplicates, mapping });
      const done = await followImport(queued, setJob, { signal: stop.current.signal });
      if (done.status === 'failed' && done.errors.length === 0) setError('The import failed.');
      onFinished();
    } catch (err) {
      if (!(err instanceof DOMException && err.name === 'AbortError')) setError(describe(err));
    } finally {
      setBusy(false);
    }
  };

  const pct = job ? progressOf(job) : 0;
  const customTargets = columns.map((c) => `customFields.${c}`);

  return (
    <form
      class="panel"
      aria-labelledby="import-title"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h2 id="import-title">Import contacts from a CSV file</h2>
      <p class="muted small">
        A header row, then one contact per line; commas or semicolons; UTF-8 or Latin-1. Columns named like email, first name,
        last name, company, phone go to those fields, others become custom fields, unless you choose otherwise below.
      </p>
      <div class="grid">
        <label>
          CSV file
          <input type="file" accept=".csv,text/csv" onChange={(e) => choose(e.currentTarget.files?.[0] ?? null)} disabled={busy} />
        </label>
        <label>
          Add to group
          <select value={groupId} onChange={(e) => setGroupId(e.currentTarget.value)} disabled={busy}>
            <option value="">No group</option>
            {groups.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Contacts already there
          <select value={duplicates} onChange={(e) => setDuplicates(e.currentTarget.value as 'skip' | 'update')} disabled={busy}>
            <option value="skip">Skip them</option>
            <option value="update">Update them</option>
          </select>
        </label>
      </div>
      {columns.length > 0 && columns[0] !== '' && (
        <fieldset>
          <legend>Columns</legend>
          <div class="mapping">
            {columns.map((column) => (
              <label key={column}>
                {column || '(no name)'}
                <select
                  value={mapping[column] ?? ''}
                  disabled={busy}
                  onChange={(e) => {
                    const next = { ...mapping };
                    if (e.currentTarget.value) next[column] = e.currentTarget.value;
                    else delete next[column];
                    setMapping(next);
                  }}
                >
                  <option value="">Automatic: {targetLabel(guessTarget(column))}</option>
                  {FIELDS.map((f) => (
                    <option key={f} value={f}>
                      {LABELS[f]}
                    </option>
                  ))}
                  {customTargets.map((t) => (
                    <option key={t} value={t}>
                      {targetLabel(t)}
                    </option>
                  ))}
                  <option value="ignore">Ignore</option>
                </select>
              </label>
            ))}
          </div>
        </fieldset>
      )}
      <ErrorNote error={error} />
      <div class="actions">
        <button type="submit" class="primary" disabled={!file || busy}>
          {busy ? 'Importing…' : 'Import'}
        </button>
      </div>
      {job && (
        <div class="import-progress">
          <div
            class="progress"
            role="progressbar"
            aria-label="Import progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={pct}
            aria-valuetext={`${pct} % (${job.processed} of ${job.total} rows)`}
            data-testid="import-progress"
          >
            <span style={{ width: `${pct}%` }} class={job.status === 'failed' ? 'failed' : undefined} />
          </div>
          <p role="status" data-testid="import-status">
            {job.status === 'queued' && 'Waiting to start…'}
            {job.status === 'running' && `Importing: ${job.processed} of ${job.total} rows (${pct} %)`}
            {job.status === 'completed' &&
              `Done: ${job.created} created, ${job.updated} updated, ${job.skipped} skipped, ${job.failedRows} failed (${job.total} rows).`}
            {job.status === 'failed' && `The import failed after ${job.processed} of ${job.total} rows.`}
          </p>
          {job.errors.length > 0 && <ImportErrors job={job} />}
        </div>
      )}
    </form>
  );
}

function ImportErrors({ job }: { job: ContactImport }) {
  const shown = job.errors.slice(0, 200);
  return (
    <div class="table-wrap">
      <table class="list" data-testid="import-errors">
        <caption>
          {job.errors.length} row error{job.errors.length === 1 ? '' : 's'}
          {job.errors.length > shown.length ? ` (the first ${shown.length} shown)` : ''}
        </caption>
        <thead>
          <tr>
            <th scope="col" class="num">Row</th>
            <th scope="col">Column</th>
            <th scope="col">Problem</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((e, i) => (
            <tr key={i}>
              <td class="num">{e.row}</td>
              <td>{e.column ?? '—'}</td>
              <td>{e.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
