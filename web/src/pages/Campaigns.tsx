import { useState } from 'preact/hooks';
import { gql } from '../api/client';
import * as Docs from '../gql/documents';
import type { CampaignStatus } from '../gql/types';
import { Link } from '../components/Link';
import { Badge, DAYS, Empty, ErrorNote, Loading, Pager, percent, useFieldAction, useLoad } from '../components/ui';
import { navigate } from '../router';
import {
  type FieldNote,
  SequenceEditor,
  type StepDraft,
  emptyStep,
  hasDraft,
  noteOfError,
  stepInputs,
  useDraft,
} from '../components/SequenceEditor';
import { TimeZones } from '../components/TimeZones';

const STATUSES: CampaignStatus[] = ['draft', 'running', 'paused', 'completed'];

/** Every campaign with its status and figures, from one GraphQL request. */
export function Campaigns() {
  const [page, setPage] = useState(1);
  const [status, setStatus] = useState<CampaignStatus | ''>('');
  const [creating, setCreating] = useState(false);
  const list = useLoad(
    () =>
      gql(Docs.Campaigns, {
        page,
        perPage: 25,
        filter: status ? { status } : null,
      }),
    [page, status],
  );
  const campaigns = list.data?.campaigns;

  return (
    <section>
      <div class="title-row">
        <h1>Campaigns</h1>
        <button type="button" class="primary" aria-expanded={creating} onClick={() => setCreating(!creating)}>
          {creating ? 'Close' : hasDraft(NEW_DRAFT) ? 'Continue the draft campaign' : 'New campaign'}
        </button>
      </div>
      {creating && <NewCampaign onCancel={() => setCreating(false)} />}
      <div class="filters">
        <label>
          Status
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.currentTarget.value as CampaignStatus | '');
              setPage(1);
            }}
          >
            <option value="">All</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNote error={list.error} />
      {!campaigns && list.loading && <Loading what="Loading campaigns" />}
      {campaigns && campaigns.items.length === 0 && (
        <Empty>No campaign yet. Create one to start sending.</Empty>
      )}
      {campaigns && campaigns.items.length > 0 && (
        <div class="table-wrap">
          <table class="list">
            <caption class="sr-only">Campaigns with their figures</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col" class="num wide-only">Contacts</th>
                <th scope="col" class="num">Sent</th>
                <th scope="col" class="num">Opened</th>
                <th scope="col" class="num">Replied</th>
                <th scope="col" class="num wide-only">Bounced</th>
                <th scope="col" class="wide-only">From</th>
              </tr>
            </thead>
            <tbody>
              {campaigns.items.map((c) => (
                <tr key={c.id}>
                  <th scope="row">
                    <Link to={`/campaigns/${c.id}`}>{c.name}</Link>
                  </th>
                  <td>
                    <Badge value={c.status} />
                    {c.pausedReason && <span class="muted small"> ({c.pausedReason.replace(/_/g, ' ')})</span>}
                  </td>
                  <td class="num wide-only">{c.contactCount}</td>
                  <td class="num">{c.stats.sent}</td>
                  <td class="num">{percent(c.stats.openRate)}</td>
                  <td class="num">{percent(c.stats.replyRate)}</td>
                  <td class="num wide-only">{percent(c.stats.bounceRate)}</td>
                  <td class="wide-only">{c.emailAccount?.email ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {campaigns && (
        <Pager
          page={campaigns.pageInfo.page}
          totalPages={campaigns.pageInfo.totalPages}
          total={campaigns.pageInfo.total}
          label="campaigns"
          onPage={setPage}
        />
      )}
    </section>
  );
}

const NEW_DRAFT = 'fz.draft.new-campaign';

function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

interface NewDraft {
  name: string;
  accountId: string;
  steps: StepDraft[];
  timezone: string;
  days: number[];
  startTime: string;
  endTime: string;
  dailyLimit: number;
}

/** The form for a new draft campaign: account, steps (with variants), schedule. What is typed
 * is kept in the browser until it is created: Close and a reload keep the draft. */
function NewCampaign({ onCancel }: { onCancel: () => void }) {
  const accounts = useLoad(() => gql(Docs.EmailAccounts), []);
  const [draft, setDraft, clear] = useDraft<NewDraft>(NEW_DRAFT, () => ({
    name: '',
    accountId: '',
    steps: [emptyStep(true)],
    timezone: browserZone(),
    days: [1, 2, 3, 4, 5],
    startTime: '09:00',
    endTime: '17:00',
    dailyLimit: 100,
  }));
  const [notes, setNotes] = useState<FieldNote[]>([]);
  const set = (patch: Partial<NewDraft>) => setDraft({ ...draft, ...patch });
  const { name, steps, timezone, days, startTime, endTime, dailyLimit } = draft;

  const items = accounts.data?.emailAccounts.items ?? [];
  const chosen = draft.accountId || items[0]?.id || '';

  const create = useFieldAction(async () => {
    setNotes([]);
    try {
      const data = await gql(Docs.CreateCampaign, {
        input: {
          name,
          emailAccountId: chosen || null,
          steps: stepInputs(steps),
          schedule: { timezone, days, startTime, endTime },
          dailyLimit,
        },
      });
      clear();
      navigate(`/campaigns/${data.createCampaign.id}`);
    } catch (err) {
      const note = noteOfError(err);
      if (note) setNotes([note]);
      throw err;
    }
  });

  return (
    <form
      class="panel"
      aria-labelledby="new-campaign"
      onSubmit={(e) => {
        e.preventDefault();
        create.run();
      }}
    >
      <h2 id="new-campaign">New campaign</h2>
      <div class="grid">
        <label>
          Name
          <input required value={name} onInput={(e) => set({ name: e.currentTarget.value })} />
        </label>
        {create.errorAt('name')}
        <label>
          Send from
          <select value={chosen} onChange={(e) => set({ accountId: e.currentTarget.value })}>
            {items.length === 0 && <option value="">No email account yet</option>}
            {items.map((a) => (
              <option key={a.id} value={a.id}>
                {a.email}
              </option>
            ))}
          </select>
        </label>
        <label>
          Daily limit (emails)
          <input type="number" min={1} value={dailyLimit} onInput={(e) => set({ dailyLimit: Number(e.currentTarget.value) })} />
        </label>
        {create.errorAt('dailyLimit', 'emailAccountId')}
      </div>
      {items.length === 0 && !accounts.loading && (
        <p class="note">
          Add an <Link to="/email-accounts">email account</Link> to send from (you can also add it later).
        </p>
      )}
      <fieldset>
        <legend>Sequence</legend>
        <SequenceEditor steps={steps} onChange={(next) => set({ steps: next })} notes={notes} />
        {notes.length === 0 && create.errorAt('steps')}
      </fieldset>
      <fieldset>
        <legend>Schedule</legend>
        <div class="grid">
          <label>
            Time zone
            <input list="time-zones" value={timezone} onInput={(e) => set({ timezone: e.currentTarget.value })} />
          </label>
          <label>
            From
            <input type="time" value={startTime} onInput={(e) => set({ startTime: e.currentTarget.value })} />
          </label>
          <label>
            To
            <input type="time" value={endTime} onInput={(e) => set({ endTime: e.currentTarget.value })} />
          </label>
        </div>
        {create.errorAt('schedule.timezone', 'schedule.startTime', 'schedule.endTime', 'schedule.days')}
        <TimeZones />
        <div class="days" role="group" aria-label="Sending days">
          {DAYS.map((label, i) => (
            <label class="check" key={label}>
              <input
                type="checkbox"
                checked={days.includes(i + 1)}
                onChange={(e) =>
                  set({ days: e.currentTarget.checked ? [...days, i + 1].sort() : days.filter((d) => d !== i + 1) })
                }
              />
              {label}
            </label>
          ))}
        </div>
      </fieldset>
      <ErrorNote error={notes.length > 0 ? undefined : create.generalError} />
      <div class="actions">
        <button type="submit" class="primary" disabled={create.pending}>
          Create draft
        </button>
        <button type="button" onClick={onCancel}>
          Close (keep the draft)
        </button>
        <button
          type="button"
          onClick={() => {
            clear();
            onCancel();
          }}
        >
          Discard
        </button>
      </div>
    </form>
  );
}
