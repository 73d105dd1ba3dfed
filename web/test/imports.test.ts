import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import {
  decodeStart,
  followImport,
  guessTarget,
  importQuery,
  progressOf,
  readHeader,
  startImport,
  type ContactImport,
} from '../src/api/imports';
import { setBearer } from '../src/api/client';
import dialect from '../../tests/fixtures/csv/dialect.json';

function job(patch: Partial<ContactImport>): ContactImport {
  return {
    id: 'imp_1',
    status: 'queued',
    total: 0,
    processed: 0,
    created: 0,
    updated: 0,
    skipped: 0,
    failedRows: 0,
    errors: [],
    groupId: null,
    duplicates: 'skip',
    createdAt: '2026-01-01T00:00:00Z',
    completedAt: null,
    ...patch,
  };
}

const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
  setBearer(null);
});

test('the header row is split on commas or semicolons, quotes honoured', () => {
  assert.deepEqual(readHeader('email,First Name,"Company, Inc"\na@b.co,A,B\n'), {
    delimiter: ',',
    columns: ['email', 'First Name', 'Company, Inc'],
  });
  assert.deepEqual(readHeader('\uFEFFE-mail;Nom;"say ""hi"""\r\nx;y;z'), {
    delimiter: ';',
    columns: ['E-mail', 'Nom', 'say "hi"'],
  });
});

test('the header is read as the server reads it (the shared dialect cases)', () => {
  assert.ok(dialect.cases.length >= 8);
  for (const c of dialect.cases) {
    assert.deepEqual(readHeader(c.text), { delimiter: c.delimiter, columns: c.columns }, c.name);
  }
});

test('Latin-1 files are decoded when they are not UTF-8', () => {
  const latin1 = new Uint8Array([0x50, 0x72, 0xe9, 0x6e, 0x6f, 0x6d]); // "Prénom" in Latin-1
  assert.equal(decodeStart(latin1), 'Prénom');
  assert.equal(decodeStart(new TextEncoder().encode('Prénom')), 'Prénom');
});

test('columns are matched to fields by name, the others become custom fields', () => {
  assert.equal(guessTarget('Email Address'), 'email');
  assert.equal(guessTarget('first_name'), 'firstName');
  assert.equal(guessTarget('Surname'), 'lastName');
  assert.equal(guessTarget('Organization'), 'company');
  assert.equal(guessTarget('Mobile'), 'phone');
  assert.equal(guessTarget('plan'), 'customFields.plan');
});

test('the query string carries the group, the duplicates rule and only the chosen mapping', () => {
  assert.equal(importQuery({ duplicates: 'skip', mapping: {} }), 'duplicates=skip');
  const q = new URLSearchParams(importQuery({ groupId: 'grp_1', duplicates: 'update', mapping: { Mail: 'email', x: 'ignore' } }));
  assert.equal(q.get('groupId'), 'grp_1');
  assert.equal(q.get('duplicates'), 'update');
  assert.deepEqual(JSON.parse(q.get('mapping')!), { Mail: 'email', x: 'ignore' });
});

test('progress is the share of rows processed, and 100 once finished', () => {
  assert.equal(progressOf(job({ status: 'queued' })), 0);
  assert.equal(progressOf(job({ status: 'running', total: 1000, processed: 333 })), 33);
  assert.equal(progressOf(job({ status: 'completed', total: 0 })), 100);
  assert.equal(progressOf(job({ status: 'failed', total: 10, processed: 2 })), 100);
});

test('an import is sent as raw CSV and followed through GET /v1/imports/{id} until it completes', async () => {
  const calls: { method: string; url: string; type: string | null; auth: string | null; body: unknown }[] = [];
  let reads = 0;
  globalThis.fetch = (async (url: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    calls.push({ method: init.method ?? 'GET', url, type: headers.get('content-type'), auth: headers.get('authorization'), body: init.body });
    const envelope = (data: ContactImport, status = 200) =>
      new Response(JSON.stringify({ success: true, data }), { status, headers: { 'content-type': 'application/json' } });
    if (init.method === 'POST') return envelope(job({ status: 'queued', total: 0 }), 202);
    reads++;
    if (reads < 3) return envelope(job({ status: 'running', total: 1000, processed: reads * 400 }));
    return envelope(
      job({
        status: 'completed',
        total: 1000,
        processed: 1000,
        created: 998,
        failedRows: 2,
        errors: [{ row: 7, column: 'email', message: 'Email is not valid' }],
        completedAt: '2026-01-01T00:00:01Z',
      }),
    );
  }) as typeof fetch;

  setBearer('jwt');
  const file = new Blob(['email\na@b.co\n'], { type: 'text/csv' });
  const queued = await startImport(file, { groupId: 'grp_9', duplicates: 'skip', mapping: {} });
  const seen: number[] = [];
  const done = await followImport(queued, (j) => seen.push(progressOf(j)), { intervalMs: 1 });

  assert.equal(calls[0].method, 'POST');
  assert.equal(calls[0].url, '/v1/contacts/import?groupId=grp_9&duplicates=skip');
  assert.equal(calls[0].type, 'text/csv');
  assert.equal(calls[0].auth, 'Bearer jwt');
  assert.equal(calls[0].body, file);
  assert.deepEqual(
    calls.slice(1).map((c) => `${c.method} ${c.url}`),
    ['GET /v1/imports/imp_1', 'GET /v1/imports/imp_1', 'GET /v1/imports/imp_1'],
  );
  assert.deepEqual(seen, [0, 40, 80, 100]);
  assert.equal(done.status, 'completed');
  assert.equal(done.errors[0].row, 7);
});

test('following stops when asked to', async () => {
  globalThis.fetch = (async () =>
    new Response(JSON.stringify({ success: true, data: job({ status: 'running', total: 10, processed: 1 }) }))) as typeof fetch;
  const stop = new AbortController();
  const following = followImport(job({ status: 'running', total: 10 }), () => stop.abort(), { intervalMs: 50, signal: stop.signal });
  await assert.rejects(following, { name: 'AbortError' });
});

test('a refused import answers the server error', async () => {
  globalThis.fetch = (async () =>
    new Response(JSON.stringify({ success: false, error: { code: 'VALIDATION_ERROR', message: 'The file has no email column' } }), {
      status: 400,
    })) as typeof fetch;
  await assert.rejects(startImport(new Blob(['x\n1\n']), { duplicates: 'skip', mapping: {} }), {
    code: 'VALIDATION_ERROR',
    message: 'The file has no email column',
  });
});
