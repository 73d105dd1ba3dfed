import { useEffect, useMemo, useState } from 'preact/hooks';
import { gql } from '../api/client';
import * as Docs from '../gql/documents';
import type { CampaignPageQuery, EnrolmentState, UnknownOutcomeAction } from '../gql/types';
import { Link } from '../components/Link';
import { TimelineChart } from '../components/TimelineChart';
import {
  Badge,
  ConfirmButton,
  DAYS,
  ErrorNote,
  Loading,
  Pager,
  formatDate,
  percent,
  useAction,
  useLoad,
} from '../components/ui';
import { navigate } from '../router';
import { FixField, PlanOf, PreviewSection, SequenceSection } from './CampaignEditing';

type CampaignData = CampaignPageQuery['campaign'];
type SendingStatus = CampaignData['sendingStatus'];
type UnknownPage = CampaignPageQuery['unknownOutcomes'];

const STATES: EnrolmentState[] = ['pending', 'active', 'completed', 'replied', 'bounced', 'unsubscribed', 'failed'];
const RANGES = [7, 30, 90];

function utcDay(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

/** One campaign: actions, why it is (not) sending, figures, funnel, daily chart, enrolments. */
export function Campaign({ id }: { id: string }) {
  const [range, setRange] = useState(30);
  const [page, setPage] = useState(1);
  const [state, setState] = useState<EnrolmentState | ''>('');
  const [unknownPage, setUnknownPage] = useState(1);
  const result = useLoad(
    () =>
      gql(Docs.CampaignPage, {
        id,
        from: utcDay(-(range - 1)),
        to: utcDay(0),
        page,
        state: state || null,
        unknownPage,
      }),
    [id, range, page, state, unknownPage],
  );
  const transition = useAction(async (op: 'start' | 'pause') => {
    if (op === 'start') await gql(Docs.StartCampaign, { id });
    else await gql(Docs.PauseCampaign, { id });
    result.reload();
  });
  const remove = useAction(async () => {
    await gql(Docs.DeleteCampaign, { id });
    navigate('/campaigns');
  });

  const c = result.data?.campaign;
  const unknown = result.data?.unknownOutcomes;

  // A running campaign changes by itself: read it again every 15 s while the page is visible.
  const running = c?.status === 'running';
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') result.reload();
    }, 15_000);
    return () => clearInterval(timer);
  }, [running, result.reload]);

  if (!c) {
    return (
      <section>
        <p>
          <Link to="/campaigns">← Campaigns</Link>
        </p>
        <ErrorNote error={result.error} />
        {result.loading && <Loading what="Loading the campaign" />}
      </section>
    );
  }

  const canStart = c.status === 'draft' || c.status === 'paused';
  const canPause = c.status === 'running';

  return (
    <section class="campaign">
      <p class="crumbs">
        <Link to="/campaigns">← Campaigns</Link>
      </p>
      <div class="title-row">
        <h1>
          {c.name} <Badge value={c.status} />
        </h1>
        <div class="actions">
          <button type="button" class="primary" disabled={!canStart || transition.pending} onClick={() => transition.run('start')}>
            {c.status === 'paused' ? 'Resume' : 'Start'}
          </button>
          <button type="button" disabled={!canPause || transition.pending} onClick={() => transition.run('pause')}>
            Pause
          </button>
          <button type="button" onClick={result.reload} disabled={result.loading}>
            Refresh
          </button>
        </div>
      </div>
      <ErrorNote error={transition.error ?? result.error} />
      <p class="muted">
        From {c.emailAccount?.email ?? 'no email account'} · {c.steps.length} step{c.steps.length === 1 ? '' : 's'} ·{' '}
        {c.schedule.days.map((d) => DAYS[d - 1]).join(' ')} {c.schedule.startTime}–{c.schedule.endTime} (
        {c.schedule.timezone === 'contact'
          ? `each contact's own zone, else ${c.schedule.fallbackTimezone ?? 'UTC'}`
          : c.schedule.timezone}
        ){c.schedule.skipDates.length > 0 && ` · not on ${c.schedule.skipDates.join(', ')}`} · up to {c.dailyLimit} emails a day
      </p>

      <SendingExplanation status={c.sendingStatus} />
      {unknown && (
        <UnknownOutcomes
          campaignId={c.id}
          outcomes={unknown}
          onPage={setUnknownPage}
          onResolved={() => {
            setUnknownPage(1);
            result.reload();
          }}
        />
      )}

      <SequenceSection
        id={c.id}
        status={c.status}
        contacts={c.contacts.items.map((e) => ({ id: e.contact.id, email: e.contact.email }))}
        onSaved={result.reload}
      />
      <PreviewSection
        id={c.id}
        steps={c.steps}
        contacts={c.contacts.items.map((e) => ({ id: e.contact.id, email: e.contact.email }))}
      />

      <h2>Figures</h2>
      <dl class="figures">
        <Figure label="Contacts" value={String(c.stats.contacts)} />
        <Figure label="Sent" value={String(c.stats.sent)} />
        <Figure
          label="Opened"
          value={percent(c.stats.openRate)}
          detail={`${c.stats.opened} by readers · ${c.stats.openedRaw} with machines`}
        />
        <Figure
          label="Clicked"
          value={percent(c.stats.clickRate)}
          detail={`${c.stats.clicked} by readers · ${c.stats.clickedRaw} with machines`}
        />
        <Figure label="Replied" value={percent(c.stats.replyRate)} detail={`${c.stats.replied}`} />
        <Figure label="Bounced" value={percent(c.stats.bounceRate)} detail={`${c.stats.bounced}`} />
      </dl>

      <h2>Funnel by step</h2>
      <Funnel steps={c.stats.steps} subjects={c.steps} />

      <div class="title-row">
        <h2 id="timeline">Daily activity</h2>
        <label class="inline">
          Range
          <select value={range} onChange={(e) => setRange(Number(e.currentTarget.value))}>
            {RANGES.map((r) => (
              <option key={r} value={r}>
                Last {r} days
              </option>
            ))}
          </select>
        </label>
      </div>
      <Timeline days={c.stats.timeline} />

      <h2>Contacts</h2>
      <Enrol campaignId={c.id} onDone={result.reload} />
      <div class="filters">
        <label>
          State
          <select
            value={state}
            onChange={(e) => {
              setState(e.currentTarget.value as EnrolmentState | '');
              setPage(1);
            }}
          >
            <option value="">All</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </div>
      <Enrolments page={c.contacts} campaignId={c.id} onChanged={result.reload} />
      <Pager
        page={c.contacts.pageInfo.page}
        totalPages={c.contacts.pageInfo.totalPages}
        total={c.contacts.pageInfo.total}
        label="contacts"
        onPage={setPage}
      />

      {c.status !== 'running' && (
        <div class="danger-zone">
          <ErrorNote error={remove.error} />
          <ConfirmButton label="Delete campaign" confirm="Delete this campaign and its figures?" onConfirm={() => remove.run()} />
        </div>
      )}
    </section>
  );
}

function Figure({ label, value, detail }: { label: string; value: string; detail?: string }) {
  return (
    <div class="figure">
      <dt>{label}</dt>
      <dd>
        {value}
        {detail !== undefined && <span class="muted small"> ({detail})</span>}
      </dd>
    </div>
  );
}

function explain(s: SendingStatus): string {
  switch (s.state) {
    case 'sending':
      return `Sending now: ${s.dueNow} email${s.dueNow === 1 ? '' : 's'} due, ${s.sentToday} of ${s.dailyLimit} sent today.`;
    case 'draft':
      return 'Draft: nothing is sent. Enrol contacts, then press Start.';
    case 'paused':
      return s.pausedReason === 'bounce_rate'
        ? 'Paused automatically: more than 5 % of the emails bounced (after 20 sends). Check the list, then resume.'
        : s.pausedReason
          ? `Paused automatically (${s.pausedReason.replace(/_/g, ' ')}).`
          : 'Paused by hand: nothing is sent until you resume.';
    case 'completed':
      return 'Completed: no contact is left to email.';
    case 'outside_window':
      return `Outside the sending window: it opens ${formatDate(s.nextWindowAt)}.`;
    case 'daily_limit_reached':
      return `Daily limit reached (${s.sentToday} of ${s.dailyLimit} today): sending goes on tomorrow.`;
    case 'account_error':
      return 'An email account cannot log in: its emails wait until its settings are fixed.';
    case 'nothing_due':
      return s.nextDueAt ? `Nothing due now: the next email goes ${formatDate(s.nextDueAt)}.` : 'Nothing due now.';
    default:
      return s.state.replace(/_/g, ' ');
  }
}

/** Why the campaign is or is not sending right now (`sendingStatus`). */
function SendingExplanation({ status }: { status: SendingStatus }) {
  const tone = status.state === 'sending' ? 'ok' : status.state === 'account_error' ? 'bad' : 'info';
  return (
    <div class={`sending sending-${tone}`} aria-labelledby="sending-title">
      <h2 id="sending-title" class="small-title">
        Sending status: <Badge value={status.state} />
      </h2>
      <p data-testid="sending-explanation">{explain(status)}</p>
      {status.missingFields.length > 0 && (
        <p>
          Waiting for a field their emails use:{' '}
          {status.missingFields.map((m) => `${m.contacts} without ${m.field}`).join(', ')}. Add the field to these contacts or give
          the variable a fallback (<code>{'{{firstName | there}}'}</code>).
        </p>
      )}
      {status.unknownOutcomes > 0 && (
        <p>
          {status.unknownOutcomes} email{status.unknownOutcomes === 1 ? '' : 's'} may or may not have been delivered (the
          connection broke mid-send): they wait for your decision below.
        </p>
      )}
      {status.failed > 0 && <p>{status.failed} contacts stopped: delivery failed or their address is invalid.</p>}
      {status.accounts.length > 0 && (
        <ul class="accounts-today">
          {status.accounts.map((a) => (
            <li key={a.emailAccountId}>
              {a.email}: {a.sentToday} of {a.dailyLimit} today{a.status === 'error' ? ` — login failing: ${a.lastError ?? 'error'}` : ''}
              {a.replyTracking === 'off' ? ' · replies not tracked (no IMAP settings)' : ''}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

const RESOLUTIONS: { action: UnknownOutcomeAction; label: string; all: string; confirm: string; done: string }[] = [
  { action: 'resend', label: 'Send again', all: 'Send all again', confirm: 'Send them all again?', done: 'will be sent again' },
  { action: 'mark_sent', label: 'Mark as sent', all: 'Mark all as sent', confirm: 'Count them all as sent?', done: 'marked as sent' },
  { action: 'skip', label: 'Skip', all: 'Skip all', confirm: 'Skip them all?', done: 'skipped' },
];

interface UnknownProps {
  campaignId: string;
  outcomes: UnknownPage;
  onPage: (page: number) => void;
  onResolved: () => void;
}

/** Emails of unknown outcome, each (or all at once) to send again, count as sent or skip. */
function UnknownOutcomes({ campaignId, outcomes, onPage, onResolved }: UnknownProps) {
  const [message, setMessage] = useState('');
  const resolve = useAction(async (action: UnknownOutcomeAction, messageIds?: string[]) => {
    const data = await gql(Docs.ResolveUnknownOutcomes, {
      campaignId,
      action,
      ...(messageIds ? { messageIds } : { all: true }),
    });
    const n = data.resolveUnknownOutcomes.resolved;
    const done = RESOLUTIONS.find((r) => r.action === action)?.done ?? action;
    setMessage(`${n} email${n === 1 ? '' : 's'} ${done}.`);
    onResolved();
  });
  const { items, pageInfo } = outcomes;
  if (pageInfo.total === 0 && !message && !resolve.error) return null;
  return (
    <section class="panel unknown-outcomes" aria-labelledby="unknown-title" data-testid="unknown-outcomes">
      <h2 id="unknown-title">Delivery unknown</h2>
      {pageInfo.total > 0 && (
        <p>
          The connection to the mail server broke after these emails were handed over, so nobody knows whether they arrived. Send one
          again if you think it did not, mark it as sent if you know it did (the sequence goes on), or skip it (the contact gets
          nothing more from this campaign).
        </p>
      )}
      <ErrorNote error={resolve.error} />
      {message && (
        <p class="note" role="status">
          {message}
          {pageInfo.total === 0 ? ' None is left.' : ''}
        </p>
      )}
      {items.length > 0 && (
        <div class="table-wrap">
          <table class="list">
            <caption class="sr-only">Emails of unknown outcome</caption>
            <thead>
              <tr>
                <th scope="col">Contact</th>
                <th scope="col" class="num">Step</th>
                <th scope="col">Subject</th>
                <th scope="col">When</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((o) => (
                <tr key={o.id}>
                  <th scope="row">{o.email}</th>
                  <td class="num">{o.step}</td>
                  <td>{o.subject}</td>
                  <td>{formatDate(o.updatedAt)}</td>
                  <td class="row-actions">
                    {RESOLUTIONS.map((r) => (
                      <button
                        key={r.action}
                        type="button"
                        disabled={resolve.pending}
                        aria-label={`${r.label}: ${o.email}, step ${o.step}`}
                        onClick={() => resolve.run(r.action, [o.id])}
                      >
                        {r.label}
                      </button>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {pageInfo.total > 0 && (
        <Pager page={pageInfo.page} totalPages={pageInfo.totalPages} total={pageInfo.total} label="emails" onPage={onPage} />
      )}
      {pageInfo.total > 1 && (
        <div class="actions" role="group" aria-label={`All ${pageInfo.total} at once`}>
          <span>All {pageInfo.total} at once:</span>
          {RESOLUTIONS.map((r) => (
            <ConfirmButton
              key={r.action}
              label={r.all}
              confirm={r.confirm}
              danger={r.action === 'skip'}
              disabled={resolve.pending}
              onConfirm={() => resolve.run(r.action)}
            />
          ))}
        </div>
      )}
    </section>
  );
}

type StepRow = CampaignData['stats']['steps'][number];

/** Sent → opened → clicked → replied for each step, as bars proportional to the sent count. */
function Funnel({ steps, subjects }: { steps: StepRow[]; subjects: CampaignData['steps'] }) {
  if (steps.length === 0) return <p class="empty">No step yet.</p>;
  const stages: { key: 'sent' | 'opened' | 'clicked' | 'replied'; label: string }[] = [
    { key: 'sent', label: 'Sent' },
    { key: 'opened', label: 'Opened' },
    { key: 'clicked', label: 'Clicked' },
    { key: 'replied', label: 'Replied' },
  ];
  return (
    <div class="funnel">
      {steps.map((s) => {
        const subject = subjects.find((x) => x.step === s.step)?.subject;
        return (
          <section class="funnel-step" key={s.step} aria-label={`Step ${s.step}`}>
            <h3>
              Step {s.step}
              {subject ? <span class="muted"> · {subject}</span> : null}
            </h3>
            <table>
              <caption class="sr-only">Funnel of step {s.step}</caption>
              <tbody>
                {stages.map((stage) => {
                  const value = s[stage.key];
                  const share = s.sent > 0 ? (value / s.sent) * 100 : 0;
                  return (
                    <tr key={stage.key}>
                      <th scope="row">{stage.label}</th>
                      <td class="bar-cell">
                        <span class={`bar bar-${stage.key}`} style={{ width: `${stage.key === 'sent' ? (s.sent > 0 ? 100 : 0) : share}%` }} />
                      </td>
                      <td class="num">{value}</td>
                      <td class="num muted">{stage.key === 'sent' ? '' : percent(share)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </section>
        );
      })}
    </div>
  );
}

function Timeline({ days }: { days: CampaignData['stats']['timeline'] }) {
  const total = useMemo(() => days.reduce((n, d) => n + d.sent + d.opened + d.clicked + d.replied, 0), [days]);
  return (
    <figure class="timeline" aria-labelledby="timeline">
      <TimelineChart days={days} />
      <figcaption class="muted small">
        {total === 0 ? 'No activity in this range yet.' : 'Emails sent and opens, clicks, replies per day (UTC).'}
      </figcaption>
      <details>
        <summary>The figures as a table</summary>
        <div class="table-wrap">
          <table class="list">
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col" class="num">Sent</th>
                <th scope="col" class="num">Opened</th>
                <th scope="col" class="num">Clicked</th>
                <th scope="col" class="num">Replied</th>
              </tr>
            </thead>
            <tbody>
              {days.map((d) => (
                <tr key={d.date}>
                  <th scope="row">{d.date}</th>
                  <td class="num">{d.sent}</td>
                  <td class="num">{d.opened}</td>
                  <td class="num">{d.clicked}</td>
                  <td class="num">{d.replied}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

/** Enrols a whole group in the campaign. */
function Enrol({ campaignId, onDone }: { campaignId: string; onDone: () => void }) {
  const groups = useLoad(() => gql(Docs.GroupOptions), []);
  const [groupId, setGroupId] = useState('');
  const [message, setMessage] = useState('');
  const options = groups.data?.groups.items ?? [];
  const chosen = groupId || options[0]?.id || '';
  const enrol = useAction(async () => {
    const data = await gql(Docs.EnrolGroup, { id: campaignId, groupId: chosen });
    const r = data.addContactsToCampaign;
    setMessage(`${r.added} enrolled, ${r.alreadyEnrolled} already in, ${r.skipped} skipped (unsubscribed or bounced).`);
    onDone();
  });
  if (groups.data && options.length === 0) {
    return (
      <p class="note">
        To enrol contacts, put them in a <Link to="/groups">group</Link> (a CSV import can do it).
      </p>
    );
  }
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        enrol.run();
      }}
    >
      <label class="inline">
        Enrol the group
        <select value={chosen} onChange={(e) => setGroupId(e.currentTarget.value)}>
          {options.map((g) => (
            <option key={g.id} value={g.id}>
              {g.name} ({g.contactCount})
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={!chosen || enrol.pending}>
        Enrol
      </button>
      <span role="status" class="muted">
        {message}
      </span>
      <ErrorNote error={enrol.error} />
    </form>
  );
}

function Enrolments({ page, campaignId, onChanged }: { page: CampaignData['contacts']; campaignId: string; onChanged: () => void }) {
  const [why, setWhy] = useState('');
  if (page.items.length === 0) return <p class="empty">No contact here.</p>;
  const now = Date.now();
  return (
    <div class="table-wrap">
      <table class="list">
        <caption class="sr-only">Enrolled contacts</caption>
        <thead>
          <tr>
            <th scope="col">Contact</th>
            <th scope="col">State</th>
            <th scope="col" class="num">Step</th>
            <th scope="col" class="wide-only">Last sent</th>
            <th scope="col">Next send</th>
            <th scope="col" class="wide-only">Reason</th>
          </tr>
        </thead>
        <tbody>
          {page.items.map((e) => (
            <tr key={e.contact.id}>
              <th scope="row">
                {e.contact.email}
                {(e.contact.firstName || e.contact.lastName) && (
                  <span class="muted small"> {[e.contact.firstName, e.contact.lastName].filter(Boolean).join(' ')}</span>
                )}
              </th>
              <td>
                <Badge value={e.state} />
              </td>
              <td class="num">{e.currentStep}</td>
              <td class="wide-only">{formatDate(e.lastSentAt)}</td>
              <td>
                {/* Due but not yet claimed: "now", never a time in the past. */}
                {e.nextSendAt && Date.parse(e.nextSendAt) <= now ? 'now' : formatDate(e.nextSendAt)}
                {(e.state === 'active' || e.state === 'pending') && (
                  <button type="button" class="small link" onClick={() => setWhy(why === e.contact.id ? '' : e.contact.id)}>
                    {why === e.contact.id ? 'Hide plan' : 'Why then?'}
                  </button>
                )}
                {why === e.contact.id && <PlanOf id={campaignId} contactId={e.contact.id} />}
              </td>
              <td class="wide-only">
                {e.reason?.replace(/_/g, ' ') ?? ''}
                {e.heldUntil && <span class="muted small"> until {formatDate(e.heldUntil)}</span>}
                {e.reason?.startsWith('missing_field:') && (
                  <FixField
                    contactId={e.contact.id}
                    field={e.reason.slice('missing_field:'.length)}
                    customFields={e.contact.customFields}
                    onFixed={onChanged}
                  />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
