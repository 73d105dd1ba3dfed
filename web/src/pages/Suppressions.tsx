import { useState } from 'preact/hooks';
import { gql } from '../api/client';
import * as Docs from '../gql/documents';
import type { SuppressionKind, SuppressionsQuery } from '../gql/types';
import { Badge, Empty, ErrorNote, Loading, Pager, formatDate, useAction, useLoad } from '../components/ui';

type Suppression = SuppressionsQuery['suppressions']['items'][number];

/** Addresses and domains the workspace never emails: list, add (one per line), delete with a reason. */
export function Suppressions() {
  const [page, setPage] = useState(1);
  const [search, setSearch] = useState('');
  const [kind, setKind] = useState<SuppressionKind>('email');
  const [values, setValues] = useState('');
  const [added, setAdded] = useState('');
  const list = useLoad(
    () => gql(Docs.Suppressions, { page, filter: search ? { value: search } : null }),
    [page, search],
  );

  const add = useAction(async () => {
    const lines = values
      .split(/[\n,;]+/)
      .map((v) => v.trim())
      .filter(Boolean);
    const data = await gql(Docs.AddSuppressions, {
      items: lines.map((value) => ({ kind, value, source: 'manual' as const })),
    });
    const { created, existing } = data.addSuppressions;
    setAdded(`${created} added${existing ? `, ${existing} already suppressed` : ''}.`);
    setValues('');
    list.reload();
  });

  const rows = list.data?.suppressions;
  return (
    <section>
      <h1>Suppressions</h1>
      <p class="muted">
        Nobody here is ever emailed: contacts created or imported at these addresses land unsubscribed or bounced, enrolment skips them and
        the sender refuses them. Unsubscribes and hard bounces are added automatically; a domain covers every address at it.
      </p>
      <form
        class="panel"
        aria-labelledby="new-suppression"
        onSubmit={(e) => {
          e.preventDefault();
          add.run();
        }}
      >
        <h2 id="new-suppression" class="small-title">
          Add suppressions
        </h2>
        <div class="grid">
          <label>
            Kind
            <select value={kind} onChange={(e) => setKind(e.currentTarget.value as SuppressionKind)}>
              <option value="email">Email addresses</option>
              <option value="domain">Domains</option>
            </select>
          </label>
          <label>
            {kind === 'email' ? 'Addresses' : 'Domains'} (one per line)
            <textarea
              required
              rows={3}
              value={values}
              onInput={(e) => setValues(e.currentTarget.value)}
              placeholder={kind === 'email' ? 'ana@example.com' : 'example.com'}
            />
          </label>
        </div>
        <ErrorNote error={add.error} />
        {added && <p class="note" role="status">{added}</p>}
        <div class="actions">
          <button type="submit" class="primary" disabled={add.pending || !values.trim()}>
            Suppress
          </button>
        </div>
      </form>
      <form class="filters" role="search" aria-label="Filter suppressions" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search
          <input
            type="search"
            value={search}
            onInput={(e) => {
              setSearch(e.currentTarget.value);
              setPage(1);
            }}
            placeholder="part of an address or domain"
          />
        </label>
      </form>
      <ErrorNote error={list.error} />
      {!rows && list.loading && <Loading what="Loading suppressions" />}
      {rows && rows.items.length === 0 && <Empty>No suppression{search ? ' matches' : ' yet'}.</Empty>}
      {rows && rows.items.length > 0 && (
        <div class="table-wrap">
          <table class="list">
            <caption class="sr-only">Suppressions</caption>
            <thead>
              <tr>
                <th scope="col">Value</th>
                <th scope="col">Kind</th>
                <th scope="col">Source</th>
                <th scope="col" class="wide-only">Added</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.items.map((s) => (
                <SuppressionRow key={s.id} suppression={s} onDeleted={list.reload} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rows && (
        <Pager page={rows.pageInfo.page} totalPages={rows.pageInfo.totalPages} total={rows.pageInfo.total} label="suppressions" onPage={setPage} />
      )}
    </section>
  );
}

function SuppressionRow({ suppression: s, onDeleted }: { suppression: Suppression; onDeleted: () => void }) {
  const [deleting, setDeleting] = useState(false);
  const [reason, setReason] = useState('');
  const remove = useAction(async () => {
    await gql(Docs.DeleteSuppression, { id: s.id, reason });
    onDeleted();
  });
  return (
    <tr>
      <th scope="row">
        <code>{s.value}</code>
      </th>
      <td>{s.kind}</td>
      <td>
        <Badge value={s.source} />
      </td>
      <td class="wide-only">{formatDate(s.createdAt)}</td>
      <td class="row-actions">
        {!deleting && (
          <button type="button" onClick={() => setDeleting(true)} aria-label={`Delete the suppression of ${s.value}`}>
            Delete
          </button>
        )}
        {deleting && (
          <form
            class="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              remove.run();
            }}
          >
            <label>
              Reason
              <input required value={reason} onInput={(e) => setReason(e.currentTarget.value)} placeholder="Why may they be emailed again?" />
            </label>
            <button type="submit" class="danger" disabled={remove.pending || !reason.trim()}>
              Delete
            </button>
            <button type="button" onClick={() => setDeleting(false)}>
              Cancel
            </button>
            <ErrorNote error={remove.error} />
          </form>
        )}
      </td>
    </tr>
  );
}
