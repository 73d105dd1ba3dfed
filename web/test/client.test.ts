import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { ApiError, gql, rest, setBearer, whenUnauthenticated, type TypedDocument } from '../src/api/client';

/** A document these tests send as it is (the pages send the generated ones). */
const doc = (text: string) => text as TypedDocument<unknown, Record<string, never>>;
import { match, queryOf } from '../src/router';

const realFetch = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = realFetch;
  setBearer(null);
  whenUnauthenticated(() => {});
});

test('a GraphQL error becomes an ApiError with its code', async () => {
  globalThis.fetch = (async () =>
    new Response(
      JSON.stringify({ data: null, errors: [{ message: 'Email is required', extensions: { code: 'VALIDATION_ERROR', details: { field: 'email' } } }] }),
    )) as typeof fetch;
  await assert.rejects(gql(doc('mutation { x }')), (err: unknown) => {
    assert.ok(err instanceof ApiError);
    assert.equal(err.code, 'VALIDATION_ERROR');
    assert.deepEqual(err.details, { field: 'email' });
    return true;
  });
});

test('a refused session signs out (expired token)', async () => {
  let signedOut = 0;
  whenUnauthenticated(() => signedOut++);
  setBearer('old');
  globalThis.fetch = (async () =>
    new Response(JSON.stringify({ data: null, errors: [{ message: 'Invalid session token', extensions: { code: 'UNAUTHENTICATED' } }] }), {
      status: 401,
    })) as typeof fetch;
  await assert.rejects(gql(doc('{ viewer { authenticatedWith } }')));
  await assert.rejects(rest('GET', '/v1/contacts'));
  assert.equal(signedOut, 2);
});

test('a wrong password while signed out does not sign anyone out', async () => {
  let signedOut = 0;
  whenUnauthenticated(() => signedOut++);
  globalThis.fetch = (async () =>
    new Response(JSON.stringify({ data: null, errors: [{ message: 'Invalid email or password', extensions: { code: 'UNAUTHENTICATED' } }] }))) as typeof fetch;
  await assert.rejects(gql(doc('mutation { login }')), { message: 'Invalid email or password' });
  assert.equal(signedOut, 0);
});

test('REST answers are unwrapped from the envelope', async () => {
  globalThis.fetch = (async () => new Response(JSON.stringify({ success: true, data: { id: 'imp_1' } }), { status: 202 })) as typeof fetch;
  assert.deepEqual(await rest('GET', '/v1/imports/imp_1'), { id: 'imp_1' });
});

test('routes match with parameters, queries are read', () => {
  assert.deepEqual(match('/campaigns/:id', '/campaigns/cmp_1'), { id: 'cmp_1' });
  assert.deepEqual(match('/campaigns/:id', '/campaigns/cmp_1/'), { id: 'cmp_1' });
  assert.equal(match('/campaigns/:id', '/campaigns'), null);
  assert.deepEqual(match('/contacts', '/contacts?group=grp_1'), {});
  assert.equal(queryOf('/contacts?group=grp_1').get('group'), 'grp_1');
});
