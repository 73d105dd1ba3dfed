import { useState } from 'preact/hooks';
import { gql } from '../api/client';
import * as Docs from '../gql/documents';
import { Badge, ConfirmButton, Empty, ErrorNote, Loading, Secret, formatDate, useAction, useLoad } from '../components/ui';

/** API keys: create one (its secret is shown once), list them, revoke. */
export function ApiKeys() {
  const list = useLoad(() => gql(Docs.ApiKeys), []);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const create = useAction(async () => {
    const data = await gql(Docs.CreateApiKey, { name: name || null });
    setCreated({ name: data.createApiKey.apiKey.name, secret: data.createApiKey.secret });
    setName('');
    list.reload();
  });
  const revoke = useAction(async (id: string) => {
    await gql(Docs.RevokeApiKey, { id });
    list.reload();
  });
  const keys = list.data?.apiKeys;
  const plan = list.data?.viewer.workspace.plan;
  return (
    <section>
      <h1>API keys</h1>
      <p class="muted">
        A key lets code call the REST API (<code>/v1</code>) and GraphQL as this workspace: send it as{' '}
        <code>Authorization: Bearer fz_live_…</code>.
      </p>
      {plan && plan !== 'pro' && (
        <p class="note" role="note">
          This workspace is on the <strong>{plan}</strong> plan: keys can be created, but they work only on the Pro plan.
        </p>
      )}
      <form
        class="panel inline-form"
        aria-labelledby="new-key"
        onSubmit={(e) => {
          e.preventDefault();
          create.run();
        }}
      >
        <h2 id="new-key" class="small-title">
          New key
        </h2>
        <label>
          Name
          <input value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder="e.g. CRM sync" />
        </label>
        <button type="submit" class="primary" disabled={create.pending}>
          Create key
        </button>
        <ErrorNote error={create.error} />
      </form>
      {created && <Secret label={`The key “${created.name}”.`} value={created.secret} />}
      <ErrorNote error={list.error ?? revoke.error} />
      {!keys && list.loading && <Loading what="Loading keys" />}
      {keys && keys.length === 0 && <Empty>No key yet.</Empty>}
      {keys && keys.length > 0 && (
        <div class="table-wrap">
          <table class="list" data-testid="api-keys">
            <caption class="sr-only">API keys, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col" class="wide-only">Created</th>
                <th scope="col" class="wide-only">Last used</th>
                <th scope="col">State</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.id}>
                  <th scope="row">{k.name}</th>
                  <td>
                    <code>{k.prefix}…</code>
                  </td>
                  <td class="wide-only">{formatDate(k.createdAt)}</td>
                  <td class="wide-only">{formatDate(k.lastUsedAt)}</td>
                  <td>{k.revokedAt ? <Badge value="revoked" tone="bad" /> : <Badge value="active" tone="ok" />}</td>
                  <td>
                    {!k.revokedAt && (
                      <ConfirmButton label="Revoke" confirm={`Revoke “${k.name}”? It stops working at once.`} onConfirm={() => revoke.run(k.id)} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
