import { useEffect, useState } from 'preact/hooks';
import { gql } from '../api/client';
import {
  PROVIDERS,
  algorithmLabel,
  dmarcPolicy,
  keyStateHelp,
  mailProvider,
  problemsOf,
  spfAll,
  standingOf,
  type DomainView,
} from '../api/domains';
import * as Docs from '../gql/documents';
import { Link } from '../components/Link';
import { Badge, ConfirmButton, CopyButton, Empty, ErrorNote, Loading, Pager, formatDate, useAction, useFieldAction, useLoad } from '../components/ui';

type Key = DomainView['dkimKeys'][number];

/** The domains the email accounts send from: whether each meets Gmail's, Yahoo's and
 * Microsoft's rules, what to fix, what DNS says, and the DKIM keys FluenzR signs with. */
export function Domains() {
  const [page, setPage] = useState(1);
  const list = useLoad(() => gql(Docs.Domains, { page }), [page]);
  const domains = list.data?.domains;
  const emails = new Map(list.data?.emailAccounts.items.map((a) => [a.id, a.email]));
  return (
    <section>
      <h1>Domains</h1>
      <p class="muted">
        Gmail, Yahoo and Microsoft only deliver bulk email from domains that prove it is theirs: SPF (which servers may send), DKIM (a
        signature on each email) and DMARC (what to do with email that fails both). Each domain your email accounts send from is checked
        here every day; what is missing comes with the exact record to add at your DNS host.
      </p>
      <ErrorNote error={list.error} />
      {!domains && list.loading && <Loading what="Loading domains" />}
      {domains && domains.items.length === 0 && (
        <Empty>
          No sending domain yet. <Link to="/email-accounts">Add an email account</Link>: the domain of its address appears here.
        </Empty>
      )}
      <ul class="cards">
        {domains?.items.map((d) => (
          <DomainCard key={d.name} domain={d} emails={emails} onGone={list.reload} />
        ))}
      </ul>
      {domains && domains.items.length > 0 && (
        <Pager page={domains.pageInfo.page} totalPages={domains.pageInfo.totalPages} total={domains.pageInfo.total} label="domains" onPage={setPage} />
      )}
    </section>
  );
}

interface CardProps {
  domain: DomainView;
  emails: Map<string, string>;
  /** The domain may have left the list (no account sends from it and its last key is gone). */
  onGone: () => void;
}

function DomainCard({ domain: listed, emails, onGone }: CardProps) {
  const [d, setDomain] = useState(listed);
  useEffect(() => setDomain(listed), [listed]);
  const name = d.name;
  const slug = name.replace(/[^a-z0-9]+/g, '-');

  // A domain never checked is checked once on sight (the `domain` query does it); later
  // checks are asked for with "Check now".
  const check = useAction(async (first: boolean) => {
    const fresh = first ? (await gql(Docs.Domain, { name })).domain : (await gql(Docs.CheckDomain, { name })).checkDomain;
    setDomain(fresh);
  });
  useEffect(() => {
    if (!listed.checkedAt) check.run(true);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [listed.name]);

  const changed = (fresh: DomainView) => {
    setDomain(fresh);
    if (fresh.emailAccountIds.length === 0 && fresh.dkimKeys.length === 0) onGone();
  };

  const standing = standingOf(d);
  const accounts = d.emailAccountIds.map((id) => emails.get(id) ?? id);
  return (
    <li class="card domain" aria-labelledby={`dom-${slug}`} data-testid="domain">
      <div class="title-row">
        <h2 id={`dom-${slug}`} class="small-title">
          {name}{' '}
          <Badge
            value={standing === 'ready' ? 'ready' : standing === 'needs_work' ? 'needs work' : 'not checked'}
            tone={standing === 'ready' ? 'ok' : standing === 'needs_work' ? 'bad' : 'info'}
          />
        </h2>
        <div class="actions">
          <button type="button" onClick={() => check.run(false)} disabled={check.pending}>
            {check.pending ? 'Checking…' : 'Check now'}
          </button>
        </div>
      </div>
      <p class="muted small">
        {accounts.length > 0 ? `Sending: ${accounts.join(', ')}` : 'No email account sends from it any more.'} ·{' '}
        {d.checkedAt ? `Last checked ${formatDate(d.checkedAt)}` : 'Not checked yet'}
      </p>
      <ErrorNote error={check.error} />
      {!d.verdicts && check.pending && <Loading what={`Checking ${name} against DNS`} />}
      {d.verdicts && <Verdicts domain={d} />}
      {d.verdicts && <Findings domain={d} />}
      <Keys domain={d} onChanged={changed} />
    </li>
  );
}

/** Each provider's verdict, then each problem once with the providers it fails and its fix. */
function Verdicts({ domain }: { domain: DomainView }) {
  const verdicts = domain.verdicts!;
  const problems = problemsOf(domain);
  return (
    <>
      <ul class="verdicts" aria-label="Providers' rules" data-testid="verdicts">
        {PROVIDERS.map((p) => {
          const v = verdicts[p.key];
          const pass = v.status === 'pass';
          return (
            <li key={p.key} class={pass ? 'verdict verdict-pass' : 'verdict verdict-fail'}>
              <strong>{p.label}</strong> <Badge value={pass ? 'passes' : 'fails'} tone={pass ? 'ok' : 'bad'} />
              <span class="muted small">{p.rules}</span>
              <span class="small">
                {pass ? 'Every rule is met.' : `${v.problems.length} ${v.problems.length === 1 ? 'problem' : 'problems'} to fix.`}
              </span>
            </li>
          );
        })}
      </ul>
      {problems.length > 0 && (
        <>
          <h3 class="small-title">What to fix</h3>
          <ol class="problems" data-testid="problems">
            {problems.map(({ problem, providers }) => (
              <li key={problem.code + problem.message} data-code={problem.code}>
                <p class="problem-message">{problem.message}</p>
                <p class="problem-fix">
                  <strong>Fix:</strong> {problem.fix}
                </p>
                <p class="muted small">Fails: {providers.join(' · ')}</p>
              </li>
            ))}
          </ol>
        </>
      )}
    </>
  );
}

/** What DNS answered for MX, SPF, DKIM and DMARC, each said in words beside the record. */
function Findings({ domain: d }: { domain: DomainView }) {
  const { mx, spf, dkim, dmarc } = d;
  const partial = problemsOf(d).some((p) => p.problem.code === 'dns_unavailable');
  return (
    <details class="findings">
      <summary>What DNS says: mail servers, SPF, DKIM, DMARC</summary>
      {partial && <p class="note">DNS did not fully answer the last check: what is said missing below may be there. Check again later.</p>}
      <dl class="facts" data-testid="findings">
        <div>
          <dt>Mail servers (MX)</dt>
          <dd>
            <span class="muted small">Where email to {d.name} is delivered: replies and bounces arrive there.</span>
            {mx && mx.records.length > 0 ? (
              <>
                <span>Received by {mailProvider(mx.provider)}:</span>
                <ul class="plain">
                  {mx.records.map((r) => (
                    <li key={r.host + r.preference}>
                      <code>{r.host}</code> <span class="muted">(preference {r.preference})</span>
                    </li>
                  ))}
                </ul>
              </>
            ) : (
              <span>No MX record: email to {d.name} cannot be delivered, so replies and bounces are lost.</span>
            )}
          </dd>
        </div>
        <div>
          <dt>SPF</dt>
          <dd>
            <span class="muted small">The list of servers allowed to send email as {d.name}.</span>
            {spf?.record ? (
              <>
                <code class="record">{spf.record}</code>
                <span>
                  {spf.lookups} of 10 DNS lookups used; {spfAll(spf.all)}.
                </span>
                {spf.hosts.length > 0 && (
                  <ul class="plain">
                    {spf.hosts.map((h) => (
                      <li key={h.host} class={h.authorised ? 'ok' : 'bad'}>
                        Your SMTP server <code>{h.host}</code> {h.authorised ? 'is listed ✓' : 'is not listed ✗'}
                      </li>
                    ))}
                  </ul>
                )}
              </>
            ) : (
              <span>No SPF record found.</span>
            )}
          </dd>
        </div>
        <div>
          <dt>DKIM</dt>
          <dd>
            <span class="muted small">Keys that sign each email, so receivers can tell it was not forged or changed.</span>
            {dkim && dkim.selectors.length > 0 ? (
              <ul class="plain">
                {dkim.selectors.map((s) => (
                  <li key={s.selector}>
                    <code>{s.selector}</code>: {s.keyType}
                    {s.bits ? `, ${s.bits} bits` : ', key unreadable or revoked'}
                    {s.managed ? ' (FluenzR’s key)' : ''}
                  </li>
                ))}
              </ul>
            ) : (
              <span>No DKIM key found at the usual selectors.</span>
            )}
          </dd>
        </div>
        <div>
          <dt>DMARC</dt>
          <dd>
            <span class="muted small">Tells receivers what to do with email that fails SPF and DKIM, and where to send reports.</span>
            {dmarc?.record ? (
              <>
                <code class="record">{dmarc.record}</code>
                {dmarc.recordDomain && dmarc.recordDomain !== d.name && (
                  <span>
                    Found at <code>{dmarc.recordDomain}</code>, which covers {d.name}.
                  </span>
                )}
                <span>Policy: {dmarcPolicy(dmarc.p)}.</span>
                {dmarc.sp && dmarc.sp !== dmarc.p && <span>For subdomains: {dmarcPolicy(dmarc.sp)}.</span>}
                {dmarc.pct != null && dmarc.pct < 100 && <span>Applied to {dmarc.pct} % of failing email.</span>}
                <span>{dmarc.rua.length > 0 ? `Reports go to ${dmarc.rua.join(', ')}.` : 'No reports asked for.'}</span>
              </>
            ) : (
              <span>No DMARC record found.</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Brand logo (BIMI)</dt>
          <dd>
            {d.bimiEligible
              ? 'Eligible: DMARC is enforced on every email, so a brand logo can be published.'
              : 'Not eligible: a logo needs DMARC at quarantine or reject for every email, subdomains included, and both verdicts passing.'}
          </dd>
        </div>
      </dl>
    </details>
  );
}

/** FluenzR's DKIM keys for the domain: each with its state and record, and a form to make one. */
function Keys({ domain: d, onChanged }: { domain: DomainView; onChanged: (fresh: DomainView) => void }) {
  const [algorithm, setAlgorithm] = useState('rsa-2048');
  const [selector, setSelector] = useState('');
  const [made, setMade] = useState<string | null>(null);
  const slug = d.name.replace(/[^a-z0-9]+/g, '-');
  const create = useFieldAction(async () => {
    setMade(null);
    const data = await gql(Docs.CreateDkimKey, { name: d.name, algorithm, selector: selector.trim() || null });
    setMade(data.createDkimKey.key.selector);
    setSelector('');
    onChanged(data.createDkimKey.domain);
  });
  const active = d.dkimKeys.find((k) => k.state === 'active');
  return (
    <section class="dkim-keys" aria-labelledby={`keys-${slug}`}>
      <h3 id={`keys-${slug}`} class="small-title">
        Signing keys (DKIM)
      </h3>
      <p class="muted small">
        {active
          ? `FluenzR signs every email from ${d.name} with the key “${active.selector}”.`
          : `FluenzR signs email from ${d.name} once one of its keys is published: create a key, add its record at your DNS host, then press “Check now”.`}
      </p>
      {d.dkimKeys.length > 0 && (
        <ul class="cards">
          {d.dkimKeys.map((k) => (
            <KeyItem key={k.id} domain={d.name} dkimKey={k} onChanged={onChanged} />
          ))}
        </ul>
      )}
      {made && (
        <p class="note" role="status">
          Key “{made}” created. Add its record above at your DNS host, then press “Check now”.
        </p>
      )}
      <form
        class="inline-form"
        aria-labelledby={`new-key-${slug}`}
        onSubmit={(e) => {
          e.preventDefault();
          create.run();
        }}
      >
        <h4 id={`new-key-${slug}`} class="small-title">
          New key
        </h4>
        <label>
          Algorithm
          <select value={algorithm} onChange={(e) => setAlgorithm(e.currentTarget.value)}>
            <option value="rsa-2048">RSA 2048 (read by every receiver)</option>
            <option value="ed25519">Ed25519 (short; not every receiver reads it yet)</option>
          </select>
        </label>
        {create.errorAt('algorithm')}
        <label>
          Selector (optional)
          <input value={selector} onInput={(e) => setSelector(e.currentTarget.value)} placeholder="fluenzr" autocomplete="off" />
        </label>
        {create.errorAt('selector')}
        <button type="submit" class="primary" disabled={create.pending}>
          {create.pending ? 'Creating…' : 'Create DKIM key'}
        </button>
        <ErrorNote error={create.generalError} />
      </form>
    </section>
  );
}

function KeyItem({ domain, dkimKey: k, onChanged }: { domain: string; dkimKey: Key; onChanged: (fresh: DomainView) => void }) {
  const use = useAction(async () => {
    onChanged((await gql(Docs.ActivateDkimKey, { name: domain, selector: k.selector })).activateDkimKey);
  });
  const remove = useAction(async () => {
    onChanged((await gql(Docs.DeleteDkimKey, { name: domain, selector: k.selector })).deleteDkimKey);
  });
  const tone = k.state === 'active' ? 'ok' : k.state === 'published' ? 'info' : 'pending';
  const when =
    k.state === 'active' && k.activatedAt
      ? `signing since ${formatDate(k.activatedAt)}`
      : k.publishedAt
        ? `found in DNS ${formatDate(k.publishedAt)}`
        : `created ${formatDate(k.createdAt)}`;
  return (
    <li class="card dkim-key" aria-label={`Key ${k.selector}`} data-testid="dkim-key">
      <div class="title-row">
        <h4 class="small-title">
          <code>{k.selector}</code> {algorithmLabel(k.algorithm)} <Badge value={k.state} tone={tone} />
        </h4>
        <div class="actions">
          {k.state === 'published' && (
            <button type="button" onClick={() => use.run()} disabled={use.pending}>
              Use this key
            </button>
          )}
          <ConfirmButton
            label="Delete"
            confirm={
              k.state === 'active'
                ? `Delete the key “${k.selector}”? Another published key takes over, or email goes unsigned.`
                : `Delete the key “${k.selector}”?`
            }
            onConfirm={() => remove.run()}
            disabled={remove.pending}
          />
        </div>
      </div>
      <p class="small">
        {keyStateHelp(k.state, domain)} <span class="muted">({when})</span>
      </p>
      <ErrorNote error={use.error ?? remove.error} />
      {k.state === 'pending' ? (
        <DnsRecord record={k.record} />
      ) : (
        <details>
          <summary>Its DNS record</summary>
          <DnsRecord record={k.record} />
        </details>
      )}
    </li>
  );
}

/** A record to add at a DNS host: type, host and value, each ready to copy. */
function DnsRecord({ record }: { record: Key['record'] }) {
  return (
    <dl class="dns-record" data-testid="dns-record">
      <div>
        <dt>Type</dt>
        <dd>
          <code data-testid="record-type">{record.type}</code>
        </dd>
      </div>
      <div>
        <dt>Host (name)</dt>
        <dd>
          <span class="copy-row">
            <code data-testid="record-host">{record.host}</code> <CopyButton value={record.host} what="the host" />
          </span>
          <span class="muted small">
            If your DNS host asks for the full name: <code>{record.name}</code>
          </span>
        </dd>
      </div>
      <div>
        <dt>Value</dt>
        <dd>
          <code class="record" data-testid="record-value">
            {record.value}
          </code>{' '}
          <CopyButton value={record.value} what="the value" />
        </dd>
      </div>
    </dl>
  );
}
