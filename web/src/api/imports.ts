/** CSV imports: read a file's header row, start the import job, follow it to the end. */
import { rest } from './client';

export type ImportStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface ImportError {
  row: number;
  column: string | null;
  message: string;
}

/** The job as `GET /v1/imports/{id}` answers it. */
export interface ContactImport {
  id: string;
  status: ImportStatus;
  total: number;
  processed: number;
  created: number;
  updated: number;
  skipped: number;
  failedRows: number;
  errors: ImportError[];
  groupId: string | null;
  duplicates: 'skip' | 'update';
  createdAt: string;
  completedAt: string | null;
}

export const FIELDS = ['email', 'firstName', 'lastName', 'company', 'phone'] as const;

/** What a column maps to: a contact field, `customFields.<key>`, or `ignore`. */
export type Target = string;

/** A delimiter the server reads (`service::imports::sniff`). */
export type Delimiter = ',' | ';' | '\t';

/**
 * The first line of a CSV text and its columns, read as the server reads them: the delimiter is
 * whichever of `,`, `;` and tab occurs most outside quotes on the header line (a tie goes to the
 * comma, then to the later of `;` and tab); quotes are honoured. The cases in
 * `tests/fixtures/csv/dialect.json` hold both to the same answers.
 */
export function readHeader(text: string): { delimiter: Delimiter; columns: string[] } {
  const firstLine = firstRecord(text.replace(/^\uFEFF/, ''));
  let best: { delimiter: Delimiter; key: [number, number] } | null = null;
  for (const delimiter of [',', ';', '\t'] as const) {
    const key: [number, number] = [countOutsideQuotes(firstLine, delimiter), delimiter === ',' ? 1 : 0];
    if (!best || key[0] > best.key[0] || (key[0] === best.key[0] && key[1] >= best.key[1])) {
      best = { delimiter, key };
    }
  }
  const delimiter = best ? best.delimiter : ',';
  return { delimiter, columns: splitRecord(firstLine, delimiter).map((c) => c.trim()) };
}

function firstRecord(text: string): string {
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') inQuotes = !inQuotes;
    else if ((ch === '\n' || ch === '\r') && !inQuotes) return text.slice(0, i);
  }
  return text;
}

function countOutsideQuotes(line: string, ch: string): number {
  let n = 0;
  let inQuotes = false;
  for (const c of line) {
    if (c === '"') inQuotes = !inQuotes;
    else if (c === ch && !inQuotes) n++;
  }
  return n;
}

function splitRecord(line: string, delimiter: string): string[] {
  const out: string[] = [];
  let cell = '';
  let inQuotes = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inQuotes) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') inQuotes = false;
      else cell += c;
    } else if (c === '"') inQuotes = true;
    else if (c === delimiter) {
      out.push(cell);
      cell = '';
    } else cell += c;
  }
  out.push(cell);
  return out;
}

/** Decodes the start of a file as UTF-8, or as Latin-1 (Windows-1252) when it is not valid UTF-8. */
export function decodeStart(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // A cut multi-byte sequence at the end is not a reason to give up on UTF-8.
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, Math.max(0, bytes.length - 3)));
    } catch {
      return new TextDecoder('windows-1252').decode(bytes);
    }
  }
}

const GUESSES: [RegExp, string][] = [
  [/^e-?mail(\s*address)?$/, 'email'],
  [/^first\s*name$|^firstname$|^given\s*name$|^first$/, 'firstName'],
  [/^last\s*name$|^lastname$|^surname$|^family\s*name$|^last$/, 'lastName'],
  [/^company(\s*name)?$|^organi[sz]ation$/, 'company'],
  [/^phone(\s*number)?$|^telephone$|^mobile$/, 'phone'],
];

/** The field a column goes to when the mapping does not name it (a hint for the form). */
export function guessTarget(column: string): Target {
  const key = column.trim().toLowerCase().replace(/[_-]+/g, ' ');
  for (const [pattern, field] of GUESSES) if (pattern.test(key)) return field;
  return `customFields.${column.trim()}`;
}

export interface ImportOptions {
  groupId?: string;
  duplicates: 'skip' | 'update';
  /** Only the columns whose target was chosen by hand; the others follow the server's defaults. */
  mapping: Record<string, Target>;
}

/** The query string of `POST /v1/contacts/import`. */
export function importQuery(options: ImportOptions): string {
  const params = new URLSearchParams();
  if (options.groupId) params.set('groupId', options.groupId);
  params.set('duplicates', options.duplicates);
  if (Object.keys(options.mapping).length > 0) params.set('mapping', JSON.stringify(options.mapping));
  return params.toString();
}

/** Sends the file as it is (the server reads UTF-8 or Latin-1) and answers the queued job. */
export function startImport(file: Blob, options: ImportOptions): Promise<ContactImport> {
  return rest<ContactImport>('POST', `/v1/contacts/import?${importQuery(options)}`, file, 'text/csv');
}

export function isFinished(job: ContactImport): boolean {
  return job.status === 'completed' || job.status === 'failed';
}

/** Share of the rows processed, 0–100 (100 once finished). */
export function progressOf(job: ContactImport): number {
  if (isFinished(job)) return 100;
  if (job.total <= 0) return 0;
  return Math.min(100, Math.floor((job.processed / job.total) * 100));
}

interface FollowOptions {
  intervalMs?: number;
  signal?: AbortSignal;
  fetchJob?: (id: string) => Promise<ContactImport>;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const stopped = () => reject(new DOMException('Stopped following the import', 'AbortError'));
    if (signal?.aborted) return stopped();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        stopped();
      },
      { once: true },
    );
  });

/** Reads the job every `intervalMs` (300) and reports each state until it completes or fails. */
export async function followImport(
  first: ContactImport,
  onUpdate: (job: ContactImport) => void,
  { intervalMs = 300, signal, fetchJob = (id) => rest<ContactImport>('GET', `/v1/imports/${encodeURIComponent(id)}`) }: FollowOptions = {},
): Promise<ContactImport> {
  let job = first;
  onUpdate(job);
  while (!isFinished(job)) {
    await sleep(intervalMs, signal);
    job = await fetchJob(job.id);
    onUpdate(job);
  }
  return job;
}
