/** One contact: its fields and custom fields (editable), its campaigns (enrol it in one), and
 * the timeline of every email of every campaign to it, with opens, clicks and replies. */
import { useState } from 'preact/hooks';
import { gql } from '../api/client';
import * as Docs from '../gql/documents';
import type { ContactPageQuery, LeadStatus } from '../gql/types';
import { Link } from '../components/Link';
import { TimeZones } from '../components/TimeZones';
import { Badge, ConfirmButton, ErrorNote, Loading, formatDate, useAction, useFieldAction, useLoad } from '../components/ui';
import { navigate } from '../router';

type Person = NonNullable<ContactPageQuery['contact']>;

export function Contact({ id }: { id: string }) {
  const page = useLoad(() => gql(Docs.ContactPage, { id }), [id]);
  const c = page.data?.contact;
  if (!c) {
    return (
      <section>
        <p>
          <Link to="/contacts">← Contacts</Link>
        </p>
        <ErrorNote error={page.error} />
        {page.loading && <Loading what="Loading the contact" />}
      </section>
    );
  }
  const names = new Map((page.data?.campaigns.items ?? []).map((k) => [k.id, k.name]));
  return (
    <section class="contact">
      <p class="crumbs">
        <Link to="/contacts">← Contacts</Link>
      </p>
      <h1>
        {c.email} <Badge value={c.status} />
      </h1>
      <LeadStatusButtons id={c.id} current={c.leadStatus ?? null} onSaved={page.reload} />
      <Fields key={c.id} c={c} onSaved={page.reload} />
      <h2>Campaigns</h2>
      {c.campaigns.length === 0 ? (
        <p class="muted">In no campaign yet.</p>
      ) : (
        <ul>
          {c.campaigns.map((e) => (
            <li key={e.campaign.id}>
              <Link to={`/campaigns/${e.campaign.id}`}>{e.campaign.name}</Link> <Badge value={e.state} />{' '}
              <span class="muted small">step {e.currentStep} done · enrolled {formatDate(e.enrolledAt)}</span>
            </li>
          ))}
        </ul>
      )}
      <EnrolOne contactId={c.id} campaigns={page.data?.campaigns.items ?? []} onDone={page.reload} />
      <Privacy id={c.id} email={c.email} />
      <h2>Activity</h2>
      {c.messages.length === 0 ? (
        <p class="muted">No email yet.</p>
      ) : (
        <ol class="timeline-list" data-testid="activity">
          {[...c.messages].reverse().map((m) => (
            <li key={m.id}>
              <p>
                <strong>{m.subject || `Step ${m.step}`}</strong> <Badge value={m.state} />{' '}
                <span class="muted small">
                  {names.get(m.campaignId) ?? m.campaignId} · step {m.step}
                  {m.skipReason && ` · skipped: ${m.skipReason}`}
                </span>
              </p>
              <p class="muted small">
                {m.sentAt && `sent ${formatDate(m.sentAt)}`}
                {m.openedAt && ` · opened ${formatDate(m.openedAt)}`}
                {m.clickedAt && ` · clicked ${formatDate(m.clickedAt)}`}
                {m.repliedAt && ` · replied ${formatDate(m.repliedAt)}`}
              </p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Fields({ c, onSaved }: { c: Person; onSaved: () => void }) {
  const [form, setForm] = useState(() => ({
    email: c.email,
    firstName: c.firstName ?? '',
    lastName: c.lastName ?? '',
    company: c.company ?? '',
    phone: c.phone ?? '',
    timezone: c.timezone ?? '',
    custom: Object.entries((c.customFields as Record<string, unknown>) ?? {}).map(([k, v]) => [k, String(v ?? '')] as [string, string]),
  }));
  const [done, setDone] = useState('');
  const set = (key: 'email' | 'firstName' | 'lastName' | 'company' | 'phone' | 'timezone') => (e: Event) =>
    setForm({ ...form, [key]: (e.currentTarget as HTMLInputElement).value });
  const save = useFieldAction(async () => {
    setDone('');
    await gql(Docs.UpdateContact, {
      id: c.id,
      input: {
        email: form.email,
        firstName: form.firstName || null,
        lastName: form.lastName || null,
        company: form.company || null,
        phone: form.phone || null,
        timezone: form.timezone || null,
        customFields: Object.fromEntries(form.custom.filter(([k]) => k.trim()).map(([k, v]) => [k.trim(), v])),
      },
    });
    setDone('Saved.');
    onSaved();
  });
  const errorAt = save.errorAt;
  const input = (key: 'email' | 'firstName' | 'lastName' | 'company' | 'phone' | 'timezone', label: string, extra = {}) => (
    <>
      <label>
        {label}
        <input value={form[key]} onInput={set(key)} {...extra} />
      </label>
      {errorAt(key)}
    </>
  );
  return (
    <form
      class="panel"
      aria-label="The contact's fields"
      onSubmit={(e) => {
        e.preventDefault();
        save.run();
      }}
    >
      <div class="grid">
        {input('email', 'Email', { type: 'email', required: true })}
        {input('firstName', 'First name')}
        {input('lastName', 'Last name')}
        {input('company', 'Company')}
        {input('phone', 'Phone', { type: 'tel' })}
        {input('timezone', 'Time zone', { list: 'time-zones', placeholder: 'e.g. America/Sao_Paulo' })}
      </div>
      <TimeZones />
      <fieldset>
        <legend>Custom fields</legend>
        {form.custom.map(([k, v], i) => (
          <div class="grid" key={i}>
            <label>
              Name
              <input
                value={k}
                onInput={(e) =>
                  setForm({ ...form, custom: form.custom.map((p, j) => (j === i ? [e.currentTarget.value, p[1]] : p)) })
                }
              />
            </label>
            <label>
              Value
              <input
                value={v}
                onInput={(e) =>
                  setForm({ ...form, custom: form.custom.map((p, j) => (j === i ? [p[0], e.currentTarget.value] : p)) })
                }
              />
            </label>
            <button type="button" onClick={() => setForm({ ...form, custom: form.custom.filter((_, j) => j !== i) })}>
              Remove
            </button>
          </div>
        ))}
        <button type="button" onClick={() => setForm({ ...form, custom: [...form.custom, ['', '']] })}>
          Add a custom field
        </button>
        {errorAt('customFields')}
      </fieldset>
      <ErrorNote error={save.generalError} />
      <div class="actions">
        <button type="submit" class="primary" disabled={save.pending}>
          Save contact
        </button>
        <span role="status" class="muted">
          {done}
        </span>
      </div>
    </form>
  );
}

function EnrolOne({ contactId, campaigns, onDone }: { contactId: string; campaigns: { id: string; name: string; status: string }[]; onDone: () => void }) {
  const [campaignId, setCampaignId] = useState('');
  const [message, setMessage] = useState('');
  const chosen = campaignId || campaigns[0]?.id || '';
  const enrol = useAction(async () => {
    const r = (await gql(Docs.EnrolContacts, { id: chosen, contactIds: [contactId] })).addContactsToCampaign;
    setMessage(r.added === 1 ? 'Enrolled.' : r.alreadyEnrolled === 1 ? 'Already in that campaign.' : 'Not enrolled: unsubscribed or bounced.');
    onDone();
  });
  if (campaigns.length === 0) return null;
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        enrol.run();
      }}
    >
      <label class="inline">
        Enrol in
        <select value={chosen} onChange={(e) => setCampaignId(e.currentTarget.value)}>
          {campaigns.map((k) => (
            <option key={k.id} value={k.id}>
              {k.name} ({k.status})
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={enrol.pending}>
        Enrol
      </button>
      <span role="status" class="muted">
        {message}
      </span>
      <ErrorNote error={enrol.error} />
    </form>
  );
}

const LEAD_STATUSES: [LeadStatus, string][] = [
  ['interested', 'Interested'],
  ['not_interested', 'Not interested'],
  ['wrong_person', 'Wrong person'],
  ['unsubscribe_request', 'Asked to be removed'],
  ['other', 'Other'],
];

/** What the contact's replies say (read from each reply), and buttons to set it by hand. */
export function LeadStatusButtons({ id, current, onSaved }: { id: string; current: LeadStatus | null; onSaved: () => void }) {
  const set = useAction(async (leadStatus: LeadStatus | null) => {
    await gql(Docs.UpdateContact, { id, input: { leadStatus } });
    onSaved();
  });
  return (
    <div class="lead-status" role="group" aria-label="Lead status">
      <span class="muted small">Lead status:</span>{' '}
      {LEAD_STATUSES.map(([value, label]) => (
        <button
          type="button"
          key={value}
          class={current === value ? 'small primary' : 'small'}
          aria-pressed={current === value}
          disabled={set.pending}
          onClick={() => set.run(current === value ? null : value)}
        >
          {label}
        </button>
      ))}
      <ErrorNote error={set.error} />
    </div>
  );
}

/** Privacy law's two requests: everything held about the contact, as a JSON download, and
 * erasure (its data gone, its address kept suppressed as a digest only). */
function Privacy({ id, email }: { id: string; email: string }) {
  const exportData = useAction(async () => {
    const held = (await gql(Docs.ContactExport, { id })).contactExport;
    const blob = new Blob([JSON.stringify(held, null, 2)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `contact-${id}.json`;
    a.click();
    URL.revokeObjectURL(a.href);
  });
  const erase = useAction(async () => {
    await gql(Docs.EraseContact, { id });
    navigate('/contacts');
  });
  return (
    <section class="panel" aria-label="Privacy">
      <h2>Privacy</h2>
      <p class="muted small">
        Export everything held about {email}, or erase it: its emails, replies and events go, the campaigns' figures stay, and the
        address stays suppressed (kept only as a digest), so it is never emailed again.
      </p>
      <div class="actions">
        <button type="button" disabled={exportData.pending} onClick={() => exportData.run()}>
          Export data
        </button>
        <ConfirmButton label="Erase contact" confirm="Erase this contact's data for good?" onConfirm={() => erase.run()} />
      </div>
      <ErrorNote error={exportData.error ?? erase.error} />
    </section>
  );
}
