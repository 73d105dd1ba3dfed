import { useEffect, useMemo, useState } from 'preact/hooks';
import { gql } from '../api/client';
import * as Docs from '../gql/documents';
import type { ContactStatus, GroupOptionsQuery, SortOrder } from '../gql/types';
import { ImportCsv } from '../components/ImportCsv';
import { Badge, ConfirmButton, Empty, ErrorNote, Loading, Pager, formatDate, useAction, useLoad } from '../components/ui';

const SORTS = [
  { key: 'createdAt', label: 'Added' },
  { key: 'updatedAt', label: 'Updated' },
  { key: 'email', label: 'Email' },
  { key: 'firstName', label: 'First name' },
  { key: 'lastName', label: 'Last name' },
  { key: 'company', label: 'Company' },
];

function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** Contacts: search, filters, sort, pages; add one, or import a CSV file. */
export function Contacts({ query }: { query: URLSearchParams }) {
  const [email, setEmail] = useState('');
  const [status, setStatus] = useState<ContactStatus | ''>('');
  const [company, setCompany] = useState('');
  const [group, setGroup] = useState(query.get('group') ?? '');
  const [sort, setSort] = useState('createdAt');
  const [order, setOrder] = useState<SortOrder>('desc');
  const [perPage, setPerPage] = useState(20);
  const [panel, setPanel] = useState<'' | 'import' | 'add'>('');
  const emailQuery = useDebounced(email.trim(), 300);
  const companyQuery = useDebounced(company.trim(), 300);

  // Pages are read by cursor (a deep page costs the server what the first does): the cursors
  // of the pages walked so far, the first page's being none. They belong to one set of
  // filters: any change of filter starts from page 1.
  const filterKey = JSON.stringify([emailQuery, status, companyQuery, group, sort, order, perPage]);
  const [paging, setPaging] = useState<{ key: string; cursors: (string | null)[] }>({ key: filterKey, cursors: [null] });
  const cursors = paging.key === filterKey ? paging.cursors : [null];
  const cursor = cursors[cursors.length - 1];

  const groups = useLoad(() => gql(Docs.GroupOptions), []);
  const groupNames = useMemo(
    () => new Map((groups.data?.groups.items ?? []).map((g) => [g.id, g.name])),
    [groups.data],
  );

  const list = useLoad(
    () =>
      gql(Docs.Contacts, {
        cursor,
        perPage,
        sort,
        order,
        filter: {
          email: emailQuery || null,
          status: status || null,
          company: companyQuery || null,
          group: group || null,
        },
      }),
    [cursor, perPage, sort, order, emailQuery, status, companyQuery, group],
  );

  const sortBy = (key: string) => {
    if (sort === key) setOrder(order === 'asc' ? 'desc' : 'asc');
    else {
      setSort(key);
      setOrder(key === 'createdAt' || key === 'updatedAt' ? 'desc' : 'asc');
    }
  };

  const remove = useAction(async (id: string) => {
    await gql(Docs.DeleteContact, { id });
    list.reload();
  });

  const contacts = list.data?.contacts;
  // Next follows the page's cursor; Previous goes back to the cursor of the page before.
  const setPage = (next: number) => {
    if (next > cursors.length) {
      const after = contacts?.pageInfo.nextCursor;
      if (after) setPaging({ key: filterKey, cursors: [...cursors, after] });
    } else {
      setPaging({ key: filterKey, cursors: cursors.slice(0, Math.max(1, next)) });
    }
  };
  const ariaSort = (key: string) => (sort === key ? (order === 'asc' ? 'ascending' : 'descending') : undefined);
  const header = (key: string, label: string, cls?: string) => (
    <th scope="col" aria-sort={ariaSort(key)} class={cls}>
      <button type="button" class="sort" onClick={() => sortBy(key)}>
        {label}
        <span aria-hidden="true">{sort === key ? (order === 'asc' ? ' ▲' : ' ▼') : ''}</span>
      </button>
    </th>
  );

  return (
    <section>
      <div class="title-row">
        <h1>Contacts</h1>
        <div class="actions">
          <button type="button" aria-expanded={panel === 'add'} onClick={() => setPanel(panel === 'add' ? '' : 'add')}>
            Add a contact
          </button>
          <button type="button" class="primary" aria-expanded={panel === 'import'} onClick={() => setPanel(panel === 'import' ? '' : 'import')}>
            Import CSV
          </button>
        </div>
      </div>
      {panel === 'add' && <AddContact groups={groups.data?.groups.items ?? []} onAdded={list.reload} />}
      {panel === 'import' && (
        <ImportCsv
          groups={groups.data?.groups.items ?? []}
          onFinished={() => {
            list.reload();
            groups.reload();
          }}
        />
      )}

      <form class="filters" role="search" aria-label="Filter contacts" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search email
          <input type="search" value={email} onInput={(e) => setEmail(e.currentTarget.value)} placeholder="part of an address" />
        </label>
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value as ContactStatus | '')}>
            <option value="">All</option>
            <option value="active">active</option>
            <option value="unsubscribed">unsubscribed</option>
            <option value="bounced">bounced</option>
          </select>
        </label>
        <label>
          Company
          <input value={company} onInput={(e) => setCompany(e.currentTarget.value)} placeholder="exact name" />
        </label>
        <label>
          Group
          <select value={group} onChange={(e) => setGroup(e.currentTarget.value)}>
            <option value="">All</option>
            {(groups.data?.groups.items ?? []).map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Sort by
          <select value={`${sort}:${order}`} onChange={(e) => {
            const [s, o] = e.currentTarget.value.split(':');
            setSort(s);
            setOrder(o as SortOrder);
          }}>
            {SORTS.flatMap((s) => [
              <option key={`${s.key}:asc`} value={`${s.key}:asc`}>
                {s.label} ↑
              </option>,
              <option key={`${s.key}:desc`} value={`${s.key}:desc`}>
                {s.label} ↓
              </option>,
            ])}
          </select>
        </label>
        <label>
          Per page
          <select value={perPage} onChange={(e) => setPerPage(Number(e.currentTarget.value))}>
            {[20, 50, 100].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </form>

      <ErrorNote error={list.error ?? remove.error} />
      {!contacts && list.loading && <Loading what="Loading contacts" />}
      {contacts && contacts.items.length === 0 && <Empty>No contact matches.</Empty>}
      {contacts && contacts.items.length > 0 && (
        <div class="table-wrap">
          <table class="list" aria-busy={list.loading} data-testid="contacts">
            <caption class="sr-only">Contacts</caption>
            <thead>
              <tr>
                {header('email', 'Email')}
                {header('firstName', 'First name', 'wide-only')}
                {header('lastName', 'Last name', 'wide-only')}
                {header('company', 'Company')}
                <th scope="col">Status</th>
                <th scope="col" class="wide-only">Groups</th>
                {header('createdAt', 'Added', 'wide-only')}
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {contacts.items.map((c) => (
                <tr key={c.id}>
                  <th scope="row">{c.email}</th>
                  <td class="wide-only">{c.firstName ?? ''}</td>
                  <td class="wide-only">{c.lastName ?? ''}</td>
                  <td>{c.company ?? ''}</td>
                  <td>
                    <Badge value={c.status} />
                  </td>
                  <td class="wide-only">{c.groupIds.map((id) => groupNames.get(id) ?? id).join(', ')}</td>
                  <td class="wide-only">{formatDate(c.createdAt)}</td>
                  <td>
                    <ConfirmButton label="Delete" confirm={`Delete ${c.email}?`} onConfirm={() => remove.run(c.id)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {contacts && (
        <Pager
          page={contacts.pageInfo.page}
          totalPages={contacts.pageInfo.totalPages}
          total={contacts.pageInfo.total}
          estimate={contacts.pageInfo.totalIsEstimate}
          hasNext={contacts.pageInfo.nextCursor !== null}
          label="contacts"
          onPage={setPage}
        />
      )}
    </section>
  );
}

type GroupOption = GroupOptionsQuery['groups']['items'][number];

function AddContact({ groups, onAdded }: { groups: GroupOption[]; onAdded: () => void }) {
  const [form, setForm] = useState({ email: '', firstName: '', lastName: '', company: '', phone: '', groupId: '' });
  const [done, setDone] = useState('');
  const set = (key: keyof typeof form) => (e: Event) => setForm({ ...form, [key]: (e.currentTarget as HTMLInputElement).value });
  const add = useAction(async () => {
    const data = await gql(Docs.CreateContact, {
      input: {
        email: form.email,
        firstName: form.firstName || null,
        lastName: form.lastName || null,
        company: form.company || null,
        phone: form.phone || null,
        groupIds: form.groupId ? [form.groupId] : null,
      },
    });
    setDone(`${data.createContact.email} added.`);
    setForm({ ...form, email: '', firstName: '', lastName: '', phone: '' });
    onAdded();
  });
  return (
    <form
      class="panel"
      aria-labelledby="add-contact"
      onSubmit={(e) => {
        e.preventDefault();
        add.run();
      }}
    >
      <h2 id="add-contact">Add a contact</h2>
      <div class="grid">
        <label>
          Email
          <input type="email" required value={form.email} onInput={set('email')} />
        </label>
        <label>
          First name
          <input value={form.firstName} onInput={set('firstName')} />
        </label>
        <label>
          Last name
          <input value={form.lastName} onInput={set('lastName')} />
        </label>
        <label>
          Company
          <input value={form.company} onInput={set('company')} />
        </label>
        <label>
          Phone
          <input type="tel" value={form.phone} onInput={set('phone')} />
        </label>
        <label>
          Group
          <select value={form.groupId} onChange={set('groupId')}>
            <option value="">None</option>
            {groups.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNote error={add.error} />
      <div class="actions">
        <button type="submit" class="primary" disabled={add.pending}>
          Add
        </button>
        <span role="status" class="muted">
          {done}
        </span>
      </div>
    </form>
  );
}
