import { useState } from 'preact/hooks';
import { gql } from '../api/client';
import * as Docs from '../gql/documents';
import type { WebhooksQuery } from '../gql/types';
import { Badge, ConfirmButton, Empty, ErrorNote, Loading, Pager, Secret, formatDate, useAction, useLoad } from '../components/ui';

type Hook = WebhooksQuery['webhooks']['items'][number];

export const EVENTS = [
  'contact.created',
  'contact.updated',
  'contact.deleted',
  'contact.unsubscribed',
  'contact.lead_status_changed',
  'contact.exported',
  'contact.erased',
  'campaign.started',
  'campaign.paused',
  'campaign.completed',
  'campaign.variant_won',
  'email.sent',
  'email.bounced',
  'email.failed',
  'email.opened',
  'email.clicked',
  'email.unsubscribed',
  'email.replied',
  'email.auto_replied',
  'suppression.deleted',
  'domain.check_failed',
];

/** Signed webhooks: subscribe, send a test, read the deliveries, enable/disable, delete. */
export function Webhooks() {
  const list = useLoad(() => gql(Docs.Webhooks), []);
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  const hooks = list.data?.webhooks.items;
  return (
    <section>
      <h1>Webhooks</h1>
      <p class="muted">
        Each event is POSTed to your endpoint, signed per Standard Webhooks (<code>webhook-signature</code>, keyed with the endpoint's{' '}
        <code>whsec_…</code> secret), and retried for five days until it answers 2xx.
      </p>
      <NewWebhook
        onCreated={(url, s) => {
          setSecret({ url, secret: s });
          list.reload();
        }}
      />
      {secret && <Secret label={`Signing secret of ${secret.url}.`} value={secret.secret} />}
      <ErrorNote error={list.error} />
      {!hooks && list.loading && <Loading what="Loading webhooks" />}
      {hooks && hooks.length === 0 && <Empty>No webhook yet.</Empty>}
      <ul class="cards">
        {hooks?.map((h) => (
          <HookCard key={h.id} hook={h} onChanged={list.reload} onSecret={(s) => setSecret({ url: h.url, secret: s })} />
        ))}
      </ul>
    </section>
  );
}

function NewWebhook({ onCreated }: { onCreated: (url: string, secret: string) => void }) {
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [all, setAll] = useState(true);
  const [events, setEvents] = useState<string[]>([]);
  const create = useAction(async () => {
    const data = await gql(Docs.CreateWebhook, {
      input: { url: url.trim(), events: all ? ['*'] : events, description: description || null },
    });
    onCreated(data.createWebhook.url, data.createWebhook.secret ?? '');
    setUrl('');
    setDescription('');
  });
  return (
    <form
      class="panel"
      aria-labelledby="new-webhook"
      onSubmit={(e) => {
        e.preventDefault();
        create.run();
      }}
    >
      <h2 id="new-webhook" class="small-title">
        New endpoint
      </h2>
      <div class="grid">
        <label>
          URL
          <input type="url" required value={url} onInput={(e) => setUrl(e.currentTarget.value)} placeholder="https://example.com/hooks/fluenzr" />
        </label>
        <label>
          Description
          <input value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
        </label>
      </div>
      <fieldset>
        <legend>Events</legend>
        <label class="check">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.currentTarget.checked)} />
          All events, including future ones
        </label>
        {!all && (
          <div class="events">
            {EVENTS.map((ev) => (
              <label class="check" key={ev}>
                <input
                  type="checkbox"
                  checked={events.includes(ev)}
                  onChange={(e) => setEvents(e.currentTarget.checked ? [...events, ev] : events.filter((x) => x !== ev))}
                />
                <code>{ev}</code>
              </label>
            ))}
          </div>
        )}
      </fieldset>
      <ErrorNote error={create.error} />
      <div class="actions">
        <button type="submit" class="primary" disabled={create.pending || (!all && events.length === 0)}>
          Subscribe
        </button>
      </div>
    </form>
  );
}

function HookCard({ hook: h, onChanged, onSecret }: { hook: Hook; onChanged: () => void; onSecret: (secret: string) => void }) {
  const [showLog, setShowLog] = useState(false);
  const [logTick, setLogTick] = useState(0);
  const [sent, setSent] = useState('');
  const test = useAction(async () => {
    const data = await gql(Docs.TestWebhook, { id: h.id });
    setSent(`Test event ${data.testWebhook.eventId} queued.`);
    setShowLog(true);
    // The delivery happens in the background: read the log again shortly.
    setTimeout(() => setLogTick((t) => t + 1), 1500);
    setLogTick((t) => t + 1);
  });
  const toggle = useAction(async () => {
    await gql(Docs.UpdateWebhook, { id: h.id, input: { active: !h.active } });
    onChanged();
  });
  const rotate = useAction(async () => {
    const data = await gql(Docs.RotateWebhookSecret, { id: h.id });
    onSecret(data.rotateWebhookSecret.secret ?? '');
  });
  const remove = useAction(async () => {
    await gql(Docs.DeleteWebhook, { id: h.id });
    onChanged();
  });
  return (
    <li class="card" aria-labelledby={`hook-${h.id}`}>
      <div class="title-row">
        <h2 id={`hook-${h.id}`} class="small-title break">
          {h.url} <Badge value={h.active ? 'active' : 'disabled'} tone={h.active ? 'ok' : 'bad'} />
        </h2>
        <div class="actions">
          <button type="button" onClick={() => test.run()} disabled={test.pending}>
            Send test
          </button>
          <button type="button" aria-expanded={showLog} onClick={() => setShowLog(!showLog)}>
            Deliveries
          </button>
          <button type="button" onClick={() => toggle.run()} disabled={toggle.pending}>
            {h.active ? 'Disable' : 'Enable'}
          </button>
          <ConfirmButton label="Rotate secret" danger={false} confirm="Issue a new secret (the old one signs for 24 h)?" onConfirm={() => rotate.run()} />
          <ConfirmButton label="Delete" confirm="Delete this endpoint?" onConfirm={() => remove.run()} />
        </div>
      </div>
      {h.description && <p>{h.description}</p>}
      <p class="muted small">
        Events: {h.events.join(', ')} · since {formatDate(h.createdAt)}
        {h.disabledReason && ` · disabled: ${h.disabledReason.replace(/_/g, ' ')}`}
      </p>
      <p role="status" class="muted">
        {sent}
      </p>
      <ErrorNote error={test.error ?? toggle.error ?? rotate.error ?? remove.error} />
      {showLog && <Deliveries id={h.id} tick={logTick} />}
    </li>
  );
}

function Deliveries({ id, tick }: { id: string; tick: number }) {
  const [page, setPage] = useState(1);
  const log = useLoad(
    () => gql(Docs.WebhookDeliveries, { id, page }),
    [id, page, tick],
  );
  const d = log.data?.webhook.deliveries;
  return (
    <div class="deliveries">
      <div class="title-row">
        <h3 class="small-title">Delivery attempts</h3>
        <button type="button" onClick={log.reload} disabled={log.loading}>
          Refresh
        </button>
      </div>
      <ErrorNote error={log.error} />
      {!d && log.loading && <Loading />}
      {d && d.items.length === 0 && <p class="empty">No attempt yet.</p>}
      {d && d.items.length > 0 && (
        <div class="table-wrap">
          <table class="list" data-testid="deliveries">
            <caption class="sr-only">Delivery attempts, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Event</th>
                <th scope="col" class="num">Try</th>
                <th scope="col">Result</th>
                <th scope="col" class="num wide-only">Time</th>
              </tr>
            </thead>
            <tbody>
              {d.items.map((a, i) => (
                <tr key={`${a.eventId}-${a.attempt}-${i}`}>
                  <td>{formatDate(a.createdAt)}</td>
                  <td>
                    <code>{a.eventType}</code>
                  </td>
                  <td class="num">{a.attempt}</td>
                  <td>
                    <Badge value={a.success ? 'ok' : 'failed'} tone={a.success ? 'ok' : 'bad'} /> {a.statusCode ?? ''}{' '}
                    {a.error && <span class="muted small">{a.error}</span>}
                  </td>
                  <td class="num wide-only">{a.durationMs} ms</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {d && <Pager page={d.pageInfo.page} totalPages={d.pageInfo.totalPages} total={d.pageInfo.total} label="attempts" onPage={setPage} />}
    </div>
  );
}
