import { useState } from 'preact/hooks';
import { gql } from '../api/client';
import * as Docs from '../gql/documents';
import type { CampaignStatus } from '../gql/types';
import { Link } from '../components/Link';
import { Badge, Empty, ErrorNote, Loading, Pager, percent, useAction, useLoad } from '../components/ui';
import { navigate } from '../router';

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
          {creating ? 'Close' : 'New campaign'}
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

interface StepDraft {
  subject: string;
  body: string;
  delayDays: number;
}

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** The form for a new draft campaign: account, steps, schedule. */
function NewCampaign({ onCancel }: { onCancel: () => void }) {
  const accounts = useLoad(() => gql(Docs.EmailAccounts), []);
  const [name, setName] = useState('');
  const [accountId, setAccountId] = useState('');
  const [steps, setSteps] = useState<StepDraft[]>([{ subject: '', body: '', delayDays: 0 }]);
  const [timezone, setTimezone] = useState(browserZone());
  const [days, setDays] = useState([1, 2, 3, 4, 5]);
  const [startTime, setStartTime] = useState('09:00');
  const [endTime, setEndTime] = useState('17:00');
  const [dailyLimit, setDailyLimit] = useState(100);

  const items = accounts.data?.emailAccounts.items ?? [];
  const chosen = accountId || items[0]?.id || '';

  const setStep = (i: number, patch: Partial<StepDraft>) =>
    setSteps(steps.map((s, j) => (j === i ? { ...s, ...patch } : s)));

  const create = useAction(async () => {
    const data = await gql(Docs.CreateCampaign, {
      input: {
        name,
        emailAccountId: chosen || null,
        steps: steps.map((s, i) => ({ subject: s.subject, body: s.body, delayDays: i === 0 ? 0 : s.delayDays })),
        schedule: { timezone, days, startTime, endTime },
        dailyLimit,
      },
    });
    navigate(`/campaigns/${data.createCampaign.id}`);
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
          <input required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          Send from
          <select value={chosen} onChange={(e) => setAccountId(e.currentTarget.value)}>
            {items.length === 0 && <option value="">No email account yet</option>}
            {items.map((a) => (
              <option key={a.id} value={a.id}>
                {a.email}
              </option>
            ))}
          </select>
        </label>
        <label>
          Daily limit
          <input type="number" min={1} value={dailyLimit} onInput={(e) => setDailyLimit(Number(e.currentTarget.value))} />
        </label>
      </div>
      {items.length === 0 && !accounts.loading && (
        <p class="note">
          Add an <Link to="/email-accounts">email account</Link> to send from (you can also add it later).
        </p>
      )}
      <fieldset>
        <legend>Sequence</legend>
        {steps.map((step, i) => (
          <div class="step-edit" key={i}>
            <h3>Step {i + 1}</h3>
            {i > 0 && (
              <label class="inline">
                Wait
                <input
                  type="number"
                  min={0}
                  class="short"
                  value={step.delayDays}
                  onInput={(e) => setStep(i, { delayDays: Number(e.currentTarget.value) })}
                />
                days after step {i}
              </label>
            )}
            <label>
              Subject
              <input
                value={step.subject}
                required={i === 0}
                placeholder={i > 0 ? 'Empty: "Re: " the first subject' : 'Hi {{firstName | there}}'}
                onInput={(e) => setStep(i, { subject: e.currentTarget.value })}
              />
            </label>
            <label>
              Body
              <textarea rows={5} required value={step.body} onInput={(e) => setStep(i, { body: e.currentTarget.value })} />
            </label>
            {i > 0 && (
              <button type="button" onClick={() => setSteps(steps.filter((_, j) => j !== i))}>
                Remove step {i + 1}
              </button>
            )}
          </div>
        ))}
        <button type="button" onClick={() => setSteps([...steps, { subject: '', body: '', delayDays: 3 }])}>
          Add a follow-up
        </button>
        <p class="muted small">
          Variables: {'{{firstName}}'}, {'{{lastName}}'}, {'{{company}}'}, {'{{email}}'}, any custom field, with a fallback:{' '}
          {'{{firstName | there}}'}.
        </p>
      </fieldset>
      <fieldset>
        <legend>Schedule</legend>
        <div class="grid">
          <label>
            Time zone
            <input value={timezone} onInput={(e) => setTimezone(e.currentTarget.value)} />
          </label>
          <label>
            From
            <input type="time" value={startTime} onInput={(e) => setStartTime(e.currentTarget.value)} />
          </label>
          <label>
            To
            <input type="time" value={endTime} onInput={(e) => setEndTime(e.currentTarget.value)} />
          </label>
        </div>
        <div class="days" role="group" aria-label="Sending days">
          {DAYS.map((label, i) => (
            <label class="check" key={label}>
              <input
                type="checkbox"
                checked={days.includes(i + 1)}
                onChange={(e) =>
                  setDays(e.currentTarget.checked ? [...days, i + 1].sort() : days.filter((d) => d !== i + 1))
                }
              />
              {label}
            </label>
          ))}
        </div>
      </fieldset>
      <ErrorNote error={create.error} />
      <div class="actions">
        <button type="submit" class="primary" disabled={create.pending}>
          Create draft
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
