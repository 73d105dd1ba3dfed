import { useState } from 'preact/hooks';
import { gql } from '../api/client';
import * as Docs from '../gql/documents';
import type { GroupsQuery } from '../gql/types';
import { Link } from '../components/Link';
import { ConfirmButton, Empty, ErrorNote, Loading, Pager, formatDate, useAction, useLoad } from '../components/ui';

type Group = GroupsQuery['groups']['items'][number];

/** Groups of contacts: create, rename, delete (the contacts stay). */
export function Groups() {
  const [page, setPage] = useState(1);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const list = useLoad(() => gql(Docs.Groups, { page }), [page]);

  const create = useAction(async () => {
    await gql(Docs.CreateGroup, {
      input: { name, description: description || null },
    });
    setName('');
    setDescription('');
    list.reload();
  });
  const remove = useAction(async (id: string) => {
    await gql(Docs.DeleteGroup, { id });
    list.reload();
  });

  const groups = list.data?.groups;
  return (
    <section>
      <h1>Groups</h1>
      <form
        class="panel inline-form"
        aria-labelledby="new-group"
        onSubmit={(e) => {
          e.preventDefault();
          create.run();
        }}
      >
        <h2 id="new-group" class="small-title">
          New group
        </h2>
        <label>
          Name
          <input required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          Description
          <input value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
        </label>
        <button type="submit" class="primary" disabled={create.pending}>
          Create group
        </button>
        <ErrorNote error={create.error} />
      </form>
      <ErrorNote error={list.error ?? remove.error} />
      {!groups && list.loading && <Loading what="Loading groups" />}
      {groups && groups.items.length === 0 && <Empty>No group yet.</Empty>}
      {groups && groups.items.length > 0 && (
        <div class="table-wrap">
          <table class="list">
            <caption class="sr-only">Groups</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" class="wide-only">Description</th>
                <th scope="col" class="num">Contacts</th>
                <th scope="col" class="wide-only">Created</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {groups.items.map((g) => (
                <GroupRow key={g.id} group={g} onChanged={list.reload} onDelete={() => remove.run(g.id)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {groups && (
        <Pager page={groups.pageInfo.page} totalPages={groups.pageInfo.totalPages} total={groups.pageInfo.total} label="groups" onPage={setPage} />
      )}
    </section>
  );
}

function GroupRow({ group, onChanged, onDelete }: { group: Group; onChanged: () => void; onDelete: () => void }) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(group.name);
  const [description, setDescription] = useState(group.description ?? '');
  const save = useAction(async () => {
    await gql(Docs.UpdateGroup, {
      id: group.id,
      input: { name, description: description || null },
    });
    setEditing(false);
    onChanged();
  });
  if (editing) {
    return (
      <tr>
        <td colSpan={5}>
          <form
            class="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              save.run();
            }}
          >
            <label>
              Name
              <input required value={name} onInput={(e) => setName(e.currentTarget.value)} />
            </label>
            <label>
              Description
              <input value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
            </label>
            <button type="submit" class="primary" disabled={save.pending}>
              Save
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
            <ErrorNote error={save.error} />
          </form>
        </td>
      </tr>
    );
  }
  return (
    <tr>
      <th scope="row">
        <Link to={`/contacts?group=${encodeURIComponent(group.id)}`}>{group.name}</Link>
      </th>
      <td class="wide-only">{group.description ?? ''}</td>
      <td class="num">{group.contactCount}</td>
      <td class="wide-only">{formatDate(group.createdAt)}</td>
      <td class="row-actions">
        <button type="button" onClick={() => setEditing(true)} aria-label={`Rename ${group.name}`}>
          Edit
        </button>
        <ConfirmButton label="Delete" confirm={`Delete the group ${group.name}? Its contacts stay.`} onConfirm={onDelete} />
      </td>
    </tr>
  );
}
