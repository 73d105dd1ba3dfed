/** The inbox: threads people replied in (filtered by lead status, campaign, unread), one
 * conversation with every email sent and received, a reply box, and lead status buttons. */
import { useEffect, useState } from 'preact/hooks';
import { gql } from '../api/client';
import * as Docs from '../gql/documents';
import type { LeadStatus } from '../gql/types';
import { Link } from '../components/Link';
import { Badge, Empty, ErrorNote, Loading, Pager, formatDate, useAction, useLoad } from '../components/ui';
import { LeadStatusButtons } from './Contact';

export function Inbox() {
  const [page, setPage] = useState(1);
  const [leadStatus, setLeadStatus] = useState<LeadStatus | ''>('');
  const [campaignId, setCampaignId] = useState('');
  const [unread, setUnread] = useState(false);
  const [open, setOpen] = useState('');
  const list = useLoad(
    () =>
      gql(Docs.InboxThreads, {
        page,
        filter: { leadStatus: leadStatus || null, campaignId: campaignId || null, unread: unread ? true : null },
      }),
    [page, leadStatus, campaignId, unread],
  );
  const threads = list.data?.inbox;
  const names = new Map((list.data?.campaigns.items ?? []).map((c) => [c.id, c.name]));
  return (
    <section class="inbox">
      <h1>Inbox</h1>
      <div class="filters" role="group" aria-label="Filters">
        <label>
          Lead status
          <select
            value={leadStatus}
            onChange={(e) => {
              setLeadStatus(e.currentTarget.value as LeadStatus | '');
              setPage(1);
            }}
          >
            <option value="">Any</option>
            <option value="interested">Interested</option>
            <option value="not_interested">Not interested</option>
            <option value="wrong_person">Wrong person</option>
            <option value="unsubscribe_request">Asked to be removed</option>
            <option value="other">Other</option>
          </select>
        </label>
        <label>
          Campaign
          <select
            value={campaignId}
            onChange={(e) => {
              setCampaignId(e.currentTarget.value);
              setPage(1);
            }}
          >
            <option value="">Any</option>
            {(list.data?.campaigns.items ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label class="check">
          <input
            type="checkbox"
            checked={unread}
            onChange={(e) => {
              setUnread(e.currentTarget.checked);
              setPage(1);
            }}
          />{' '}
          Unread only
        </label>
      </div>
      <ErrorNote error={list.error} />
      {!threads && list.loading && <Loading what="Loading the inbox" />}
      {threads && threads.items.length === 0 && <Empty>No reply here yet.</Empty>}
      {threads && threads.items.length > 0 && (
        <ul class="threads" data-testid="threads">
          {threads.items.map((t) => (
            <li key={t.id} class={t.unread ? 'unread' : undefined}>
              <button type="button" class="link" aria-expanded={open === t.id} onClick={() => setOpen(open === t.id ? '' : t.id)}>
                {t.unread && <span class="sr-only">Unread: </span>}
                <strong>{t.contact.email}</strong>
              </button>{' '}
              {t.contact.leadStatus && <Badge value={t.contact.leadStatus} />}{' '}
              <span class="muted small">
                {names.get(t.campaignId) ?? t.campaignId} · {formatDate(t.lastMessageAt)}
              </span>
              {open === t.id && <Conversation id={t.id} onChanged={list.reload} />}
            </li>
          ))}
        </ul>
      )}
      {threads && (
        <Pager
          page={threads.pageInfo.page}
          totalPages={threads.pageInfo.totalPages}
          total={threads.pageInfo.total}
          label="threads"
          onPage={setPage}
        />
      )}
    </section>
  );
}

function Conversation({ id, onChanged }: { id: string; onChanged: () => void }) {
  const thread = useLoad(() => gql(Docs.InboxConversation, { id }), [id]);
  const [body, setBody] = useState('');
  const [done, setDone] = useState('');
  const t = thread.data?.inboxThread;
  const unread = t?.unread;
  useEffect(() => {
    if (unread) gql(Docs.MarkInboxThreadRead, { id }).then(onChanged, () => {});
  }, [id, unread]);
  const send = useAction(async () => {
    setDone('');
    const answer = (await gql(Docs.ReplyToInboxThread, { id, body })).replyToInboxThread;
    setBody('');
    setDone(answer.savedToSent ? 'Sent, and saved in the Sent folder.' : 'Sent.');
    thread.reload();
    onChanged();
  });
  if (!t) {
    return (
      <div class="conversation">
        <ErrorNote error={thread.error} />
        {thread.loading && <Loading what="Loading the conversation" />}
      </div>
    );
  }
  return (
    <div class="conversation panel" aria-label={`Conversation with ${t.contact.email}`}>
      <p>
        <Link to={`/contacts/${t.contact.id}`}>{t.contact.email}</Link>
      </p>
      <LeadStatusButtons
        id={t.contact.id}
        current={t.contact.leadStatus ?? null}
        onSaved={() => {
          thread.reload();
          onChanged();
        }}
      />
      <ol class="timeline-list" data-testid="conversation">
        {t.messages.map((m) => (
          <li key={m.id} class={`message ${m.kind}`}>
            <p>
              <strong>{m.subject}</strong> <Badge value={m.kind} />{' '}
              <span class="muted small">
                {m.from} · {formatDate(m.at)}
              </span>
            </p>
            <pre class="body">{m.text}</pre>
          </li>
        ))}
      </ol>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          send.run();
        }}
      >
        <label>
          Reply
          <textarea value={body} rows={5} required onInput={(e) => setBody(e.currentTarget.value)} />
        </label>
        <ErrorNote error={send.error} />
        <div class="actions">
          <button type="submit" class="primary" disabled={send.pending || !body.trim()}>
            Send reply
          </button>
          <span role="status" class="muted">
            {done}
          </span>
        </div>
      </form>
    </div>
  );
}
