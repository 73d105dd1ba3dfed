import { useState } from 'preact/hooks';
import { gql } from '../api/client';
import * as Docs from '../gql/documents';
import type {
  EmailAccountInput,
  EmailAccountsQuery,
  SmtpSecurity,
  TestEmailAccountMutation,
} from '../gql/types';
import { Badge, ConfirmButton, Empty, ErrorNote, Loading, formatDate, useAction, useLoad } from '../components/ui';

type Account = EmailAccountsQuery['emailAccounts']['items'][number];
type Check = TestEmailAccountMutation['testEmailAccount']['smtp'];

/** The mailboxes campaigns send from: add, edit, test the connection, delete. */
export function EmailAccounts() {
  const list = useLoad(() => gql(Docs.EmailAccounts), []);
  const [adding, setAdding] = useState(false);
  const accounts = list.data?.emailAccounts.items;
  return (
    <section>
      <div class="title-row">
        <h1>Email accounts</h1>
        <button type="button" class="primary" aria-expanded={adding} onClick={() => setAdding(!adding)}>
          {adding ? 'Close' : 'Add an account'}
        </button>
      </div>
      {adding && (
        <AccountForm
          onSaved={() => {
            setAdding(false);
            list.reload();
          }}
          onCancel={() => setAdding(false)}
        />
      )}
      <ErrorNote error={list.error} />
      {!accounts && list.loading && <Loading what="Loading email accounts" />}
      {accounts && accounts.length === 0 && !adding && <Empty>No email account yet. Add the SMTP settings of a mailbox to send from.</Empty>}
      <ul class="cards">
        {accounts?.map((a) => (
          <AccountCard key={a.id} account={a} onChanged={list.reload} />
        ))}
      </ul>
    </section>
  );
}

function AccountCard({ account: a, onChanged }: { account: Account; onChanged: () => void }) {
  const [editing, setEditing] = useState(false);
  const [result, setResult] = useState<TestEmailAccountMutation['testEmailAccount'] | null>(null);
  const test = useAction(async () => {
    setResult(null);
    const data = await gql(Docs.TestEmailAccount, { id: a.id });
    setResult(data.testEmailAccount);
    onChanged();
  });
  const remove = useAction(async () => {
    await gql(Docs.DeleteEmailAccount, { id: a.id });
    onChanged();
  });
  return (
    <li class="card" aria-labelledby={`acc-${a.id}`}>
      <div class="title-row">
        <h2 id={`acc-${a.id}`} class="small-title">
          {a.name ? `${a.name} <${a.email}>` : a.email} <Badge value={a.status} tone={a.status === 'ok' ? 'ok' : 'bad'} />
        </h2>
        <div class="actions">
          <button type="button" onClick={() => test.run()} disabled={test.pending}>
            {test.pending ? 'Testing…' : 'Test connection'}
          </button>
          <button type="button" aria-expanded={editing} onClick={() => setEditing(!editing)}>
            {editing ? 'Close' : 'Edit'}
          </button>
          <ConfirmButton label="Delete" confirm="Delete this account?" onConfirm={() => remove.run()} />
        </div>
      </div>
      <dl class="facts">
        <div>
          <dt>SMTP</dt>
          <dd>
            {a.smtpHost}:{a.smtpPort} ({a.smtpSecurity}) as {a.smtpUsername}
          </dd>
        </div>
        <div>
          <dt>Replies</dt>
          <dd>
            {a.replyTracking === 'on'
              ? `read from ${a.imapHost}:${a.imapPort} (${a.imapSecurity}), last ${formatDate(a.imapCheckedAt)}`
              : 'not tracked (no IMAP settings)'}
          </dd>
        </div>
        <div>
          <dt>Today</dt>
          <dd>
            {a.sentToday} of {a.dailyLimit} sent ({a.timezone}), at least {a.sendGapSeconds} s apart
          </dd>
        </div>
      </dl>
      {a.lastError && (
        <p class="note error">
          Last error: <span>{a.lastError}</span>
        </p>
      )}
      <ErrorNote error={test.error ?? remove.error} />
      {result && (
        <div class="check-result" role="status" aria-label="Connection test result" data-testid="connection-test">
          <CheckSteps title="SMTP" check={result.smtp} />
          {result.imap ? <CheckSteps title="IMAP" check={result.imap} /> : <p class="muted">IMAP: not set up, replies are not tracked.</p>}
        </div>
      )}
      {editing && (
        <AccountForm
          account={a}
          onSaved={() => {
            setEditing(false);
            onChanged();
          }}
          onCancel={() => setEditing(false)}
        />
      )}
    </li>
  );
}

/** Each step of a connection check, with the server's answer. */
function CheckSteps({ title, check }: { title: string; check: Check }) {
  return (
    <div class="check">
      <h3 class="small-title">
        {title}: {check.ok ? <Badge value="ok" /> : <Badge value="failed" tone="bad" />}
      </h3>
      <ol class="steps">
        {check.steps.map((s, i) => (
          <li key={i} class={s.ok ? 'ok' : 'bad'}>
            <span class="icon" aria-hidden="true">
              {s.ok ? '✓' : '✗'}
            </span>
            <strong>{s.step}</strong> <span class="sr-only">{s.ok ? 'succeeded' : 'failed'}</span>
            {s.reply && <code>{s.reply}</code>}
          </li>
        ))}
      </ol>
      {check.error && check.error !== check.steps[check.steps.length - 1]?.reply && <p class="note error">{check.error}</p>}
    </div>
  );
}

interface FormState {
  email: string;
  name: string;
  smtpHost: string;
  smtpPort: string;
  smtpSecurity: SmtpSecurity;
  smtpUsername: string;
  smtpPassword: string;
  dailyLimit: string;
  timezone: string;
  sendGapSeconds: string;
  imapHost: string;
  imapPort: string;
  imapSecurity: SmtpSecurity;
  imapUsername: string;
  imapPassword: string;
}

function initial(a?: Account): FormState {
  return {
    email: a?.email ?? '',
    name: a?.name ?? '',
    smtpHost: a?.smtpHost ?? '',
    smtpPort: a ? String(a.smtpPort) : '',
    smtpSecurity: a?.smtpSecurity ?? 'starttls',
    smtpUsername: a?.smtpUsername ?? '',
    smtpPassword: '',
    dailyLimit: a ? String(a.dailyLimit) : '',
    timezone: a?.timezone ?? 'UTC',
    sendGapSeconds: a ? String(a.sendGapSeconds) : '',
    imapHost: a?.imapHost ?? '',
    imapPort: a?.imapPort ? String(a.imapPort) : '',
    imapSecurity: a?.imapSecurity ?? 'tls',
    imapUsername: a?.imapUsername ?? '',
    imapPassword: '',
  };
}

const int = (v: string) => (v.trim() === '' ? null : Number(v));
const text = (v: string) => (v.trim() === '' ? null : v.trim());

/** Create (no `account`) or edit an account; passwords left empty stay as they are. */
function AccountForm({ account, onSaved, onCancel }: { account?: Account; onSaved: () => void; onCancel: () => void }) {
  const [f, setF] = useState<FormState>(initial(account));
  const set = (key: keyof FormState) => (e: Event) => setF({ ...f, [key]: (e.currentTarget as HTMLInputElement).value });
  const idp = account ? `edit-${account.id}` : 'new-account';

  const save = useAction(async () => {
    const input: EmailAccountInput = {
      email: f.email.trim(),
      name: text(f.name),
      smtpHost: f.smtpHost.trim(),
      smtpPort: int(f.smtpPort),
      smtpSecurity: f.smtpSecurity,
      smtpUsername: text(f.smtpUsername),
      dailyLimit: int(f.dailyLimit),
      timezone: text(f.timezone),
      sendGapSeconds: int(f.sendGapSeconds),
    };
    if (f.smtpPassword) input.smtpPassword = f.smtpPassword;
    if (f.imapHost.trim()) {
      input.imapHost = f.imapHost.trim();
      input.imapPort = int(f.imapPort);
      input.imapSecurity = f.imapSecurity;
      input.imapUsername = text(f.imapUsername);
      if (f.imapPassword) input.imapPassword = f.imapPassword;
    } else if (account?.imapHost) {
      input.imapHost = null;
    }
    if (account) {
      // Unset optional numbers keep their current value.
      for (const key of Object.keys(input) as (keyof EmailAccountInput)[]) if (input[key] === null && key !== 'imapHost' && key !== 'name') delete input[key];
      await gql(Docs.UpdateEmailAccount, { id: account.id, input });
    } else {
      for (const key of Object.keys(input) as (keyof EmailAccountInput)[]) if (input[key] === null) delete input[key];
      await gql(Docs.CreateEmailAccount, { input });
    }
    onSaved();
  });

  return (
    <form
      class="panel"
      aria-labelledby={idp}
      onSubmit={(e) => {
        e.preventDefault();
        save.run();
      }}
    >
      <h2 id={idp} class="small-title">
        {account ? `Edit ${account.email}` : 'New email account'}
      </h2>
      <div class="grid">
        <label>
          Email address
          <input type="email" required value={f.email} onInput={set('email')} />
        </label>
        <label>
          Sender name
          <input value={f.name} onInput={set('name')} />
        </label>
      </div>
      <fieldset>
        <legend>Sending (SMTP)</legend>
        <div class="grid">
          <label>
            SMTP host
            <input required value={f.smtpHost} onInput={set('smtpHost')} placeholder="smtp.example.com" />
          </label>
          <label>
            SMTP port
            <input type="number" min={1} max={65535} value={f.smtpPort} onInput={set('smtpPort')} placeholder="by security" />
          </label>
          <label>
            SMTP security
            <select value={f.smtpSecurity} onChange={set('smtpSecurity')}>
              <option value="starttls">STARTTLS (587)</option>
              <option value="tls">TLS (465)</option>
              <option value="none">None (local relay)</option>
            </select>
          </label>
          <label>
            SMTP username
            <input value={f.smtpUsername} onInput={set('smtpUsername')} placeholder="the email address" autocomplete="off" />
          </label>
          <label>
            SMTP password
            <input
              type="password"
              required={!account}
              value={f.smtpPassword}
              onInput={set('smtpPassword')}
              placeholder={account ? 'unchanged' : ''}
              autocomplete="new-password"
            />
          </label>
        </div>
      </fieldset>
      <fieldset>
        <legend>Limits</legend>
        <div class="grid">
          <label>
            Daily limit
            <input type="number" min={1} value={f.dailyLimit} onInput={set('dailyLimit')} placeholder="200" />
          </label>
          <label>
            Time zone of the day
            <input value={f.timezone} onInput={set('timezone')} />
          </label>
          <label>
            Seconds between sends
            <input type="number" min={0} value={f.sendGapSeconds} onInput={set('sendGapSeconds')} placeholder="60" />
          </label>
        </div>
      </fieldset>
      <fieldset>
        <legend>Replies (IMAP, optional)</legend>
        <div class="grid">
          <label>
            IMAP host
            <input value={f.imapHost} onInput={set('imapHost')} placeholder="empty: replies not tracked" />
          </label>
          <label>
            IMAP port
            <input type="number" min={1} max={65535} value={f.imapPort} onInput={set('imapPort')} placeholder="by security" />
          </label>
          <label>
            IMAP security
            <select value={f.imapSecurity} onChange={set('imapSecurity')}>
              <option value="tls">TLS (993)</option>
              <option value="starttls">STARTTLS (143)</option>
              <option value="none">None (143)</option>
            </select>
          </label>
          <label>
            IMAP username
            <input value={f.imapUsername} onInput={set('imapUsername')} placeholder="the SMTP username" autocomplete="off" />
          </label>
          <label>
            IMAP password
            <input
              type="password"
              value={f.imapPassword}
              onInput={set('imapPassword')}
              placeholder={account?.imapHost ? 'unchanged' : ''}
              autocomplete="new-password"
            />
          </label>
        </div>
      </fieldset>
      <ErrorNote error={save.error} />
      <div class="actions">
        <button type="submit" class="primary" disabled={save.pending}>
          {account ? 'Save' : 'Add account'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
