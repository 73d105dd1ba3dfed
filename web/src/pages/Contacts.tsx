import { useEffect, useMemo, useState } from 'preact/hooks';
import { gql } from '../api/client';
import * as Docs from '../gql/documents';
import type { ContactStatus, GroupOptionsQuery, SortOrder } from '../gql/types';
import { ImportCsv } from '../components/ImportCsv';
import { Link } from '../components/Link';
import type { ContactFilter } from '../gql/types';
import {
  Badge,
  ConfirmButton,
  Empty,
  ErrorNote,
  Loading,
  Pager,
  formatDate,
  useAction,
  useFieldAction,
  useLoad,
} from '../components/ui';

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
  const [selected, setSelected] = useState<string[]>([]);
  const toggle = (id: string, on: boolean) => setSelected(on ? [...selected, id] : selected.filter((s) => s !== id));
  const filter = {
    email: emailQuery || null,
    status: status || null,
    company: companyQuery || null,
    group: group || null,
  };

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

      <BulkBar
        selected={selected}
        groups={groups.data?.groups.items ?? []}
        onDone={() => {
          setSelected([]);
          list.reload();
        }}
        exportCsv={() => exportCsv(filter, sort, order)}
      />
      <ErrorNote error={list.error ?? remove.error} />
      {!contacts && list.loading && <Loading what="Loading contacts" />}
      {contacts && contacts.items.length === 0 && <Empty>No contact matches.</Empty>}
      {contacts && contacts.items.length > 0 && (
        <div class="table-wrap">
          <table class="list" aria-busy={list.loading} data-testid="contacts">
            <caption class="sr-only">Contacts</caption>
            <thead>
              <tr>
                <th scope="col">
                  <input
                    type="checkbox"
                    aria-label="Select every contact of this page"
                    checked={contacts.items.length > 0 && contacts.items.every((c) => selected.includes(c.id))}
                    onChange={(e) =>
                      setSelected(
                        e.currentTarget.checked
                          ? [...new Set([...selected, ...contacts.items.map((c) => c.id)])]
                          : selected.filter((id) => !contacts.items.some((c) => c.id === id)),
                      )
                    }
                  />
                </th>
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
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select ${c.email}`}
                      checked={selected.includes(c.id)}
                      onChange={(e) => toggle(c.id, e.currentTarget.checked)}
                    />
                  </td>
                  <th scope="row">
                    <Link to={`/contacts/${c.id}`}>{c.email}</Link>
                  </th>
                  <td class="wide-only">{c.firstName ?? ''}</td>
                  <td class="wide-only">{c.lastName ?? ''}</td>
                  <td>{c.company ?? ''}</td>
                  <td>
                    <Badge value={c.status} /> {c.leadStatus && <Badge value={c.leadStatus} />}
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
  const add = useFieldAction(async () => {
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
        {add.errorAt('email')}
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
        {add.errorAt('phone')}
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
      <ErrorNote error={add.generalError} />
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

/** What to do with the selected contacts: add them to a group, enrol them in a campaign,
 * delete them; and the filtered list as a CSV file. */
function BulkBar({
  selected,
  groups,
  onDone,
  exportCsv: download,
}: {
  selected: string[];
  groups: GroupOption[];
  onDone: () => void;
  exportCsv: () => Promise<void>;
}) {
  const campaigns = useLoad(() => gql(Docs.CampaignOptions), []);
  const [groupId, setGroupId] = useState('');
  const [campaignId, setCampaignId] = useState('');
  const [message, setMessage] = useState('');
  // A completed campaign given new contacts runs again for them.
  const open = campaigns.data?.campaigns.items ?? [];
  const chosenGroup = groupId || groups[0]?.id || '';
  const chosenCampaign = campaignId || open[0]?.id || '';
  const act = useAction(async (what: 'group' | 'enrol' | 'delete' | 'export') => {
    if (what === 'export') {
      await download();
      return;
    }
    if (what === 'group') {
      const r = (await gql(Docs.AddToGroup, { id: chosenGroup, contactIds: selected })).addContactsToGroup;
      setMessage(`${r.added} contacts added to the group, ${r.alreadyMembers} already in it.`);
    } else if (what === 'enrol') {
      const r = (await gql(Docs.EnrolContacts, { id: chosenCampaign, contactIds: selected })).addContactsToCampaign;
      setMessage(`${r.added} contacts enrolled, ${r.alreadyEnrolled} already in, ${r.skipped} skipped (unsubscribed or bounced).`);
    } else {
      for (const id of selected) await gql(Docs.DeleteContact, { id });
      setMessage(`${selected.length} contacts deleted.`);
    }
    onDone();
  });
  return (
    <div class="bulk-bar" role="group" aria-label="With the selected contacts">
      <span class="muted">{selected.length} contacts selected</span>
      <label class="inline">
        Group for the selected
        <select value={chosenGroup} onChange={(e) => setGroupId(e.currentTarget.value)}>
          {groups.map((g) => (
            <option key={g.id} value={g.id}>
              {g.name}
            </option>
          ))}
        </select>
      </label>
      <button type="button" disabled={selected.length === 0 || !chosenGroup || act.pending} onClick={() => act.run('group')}>
        Add to group
      </button>
      <label class="inline">
        Campaign for the selected
        <select value={chosenCampaign} onChange={(e) => setCampaignId(e.currentTarget.value)}>
          {open.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name} ({c.status})
            </option>
          ))}
        </select>
      </label>
      <button type="button" disabled={selected.length === 0 || !chosenCampaign || act.pending} onClick={() => act.run('enrol')}>
        Enrol in campaign
      </button>
      <ConfirmButton
        label="Delete selected"
        confirm={`Delete ${selected.length} contacts?`}
        disabled={selected.length === 0 || act.pending}
        onConfirm={() => act.run('delete')}
      />
      <button type="button" disabled={act.pending} onClick={() => act.run('export')}>
        Export the filtered list (CSV)
      </button>
      <span role="status" class="muted">
        {message}
      </span>
      <ErrorNote error={act.error} />
    </div>
  );
}

/** One CSV cell: quoted when it holds a separator, a quote or a line break; a leading
 * formula character is neutralised so a spreadsheet shows it as text. */
function cell(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Every contact the filters match, walked page by page by cursor, as a CSV download. */
async function exportCsv(filter: ContactFilter, sort: string, order: SortOrder): Promise<void> {
  const lines = ['email,firstName,lastName,company,phone,timezone,status,customFields,createdAt'];
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof fetchPage>> = await fetchPage(cursor, filter, sort, order);
    for (const c of page.items) {
      lines.push(
        [c.email, c.firstName, c.lastName, c.company, c.phone, c.timezone, c.status, c.customFields, c.createdAt].map(cell).join(','),
      );
    }
    cursor = page.pageInfo.nextCursor ?? null;
  } while (cursor);
  const blob = new Blob([lines.join('\r\n') + '\r\n'], { type: 'text/csv' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = 'contacts.csv';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

async function fetchPage(cursor: string | null, filter: ContactFilter, sort: string, order: SortOrder) {
  return (await gql(Docs.ContactsExport, { cursor, filter, sort, order })).contacts;
}
