import type { FunctionComponent } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { getSession, signOut, subscribe, type Session } from './api/session';
import { Link } from './components/Link';
import { Loading } from './components/ui';
import { match, navigate, queryOf, useLocation } from './router';
import { ApiKeys } from './pages/ApiKeys';
import { Campaigns } from './pages/Campaigns';
import { Contact } from './pages/Contact';
import { Contacts } from './pages/Contacts';
import { Domains } from './pages/Domains';
import { EmailAccounts } from './pages/EmailAccounts';
import { Groups } from './pages/Groups';
import { SignIn } from './pages/SignIn';
import { Suppressions } from './pages/Suppressions';
import { Inbox } from './pages/Inbox';
import { Webhooks } from './pages/Webhooks';

type CampaignProps = { id: string };
let campaignPage: FunctionComponent<CampaignProps> | undefined;

/** The campaign page carries the chart library: its code loads on the first visit. */
function Campaign(props: CampaignProps) {
  const [page, setPage] = useState(() => campaignPage);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (page) return;
    import('./pages/Campaign').then(
      (m) => setPage(() => (campaignPage = m.Campaign)),
      () => setFailed(true),
    );
  }, []);
  if (failed) return <p class="note error" role="alert">The campaign page could not be loaded. Reload to try again.</p>;
  const Page = page;
  return Page ? <Page {...props} /> : <Loading />;
}

const NAV = [
  { to: '/campaigns', label: 'Campaigns' },
  { to: '/inbox', label: 'Inbox' },
  { to: '/contacts', label: 'Contacts' },
  { to: '/groups', label: 'Groups' },
  { to: '/email-accounts', label: 'Email accounts' },
  { to: '/domains', label: 'Domains' },
  { to: '/suppressions', label: 'Suppressions' },
  { to: '/webhooks', label: 'Webhooks' },
  { to: '/api-keys', label: 'API keys' },
];

function useSession(): [Session | null, string | undefined] {
  const [state, setState] = useState<[Session | null, string | undefined]>([getSession(), undefined]);
  useEffect(() => subscribe((session, reason) => setState([session, reason])), []);
  return state;
}

function Page({ path }: { path: string }) {
  let params: Record<string, string> | null;
  if ((params = match('/campaigns/:id', path))) return <Campaign id={params.id} />;
  if (match('/campaigns', path)) return <Campaigns />;
  if ((params = match('/contacts/:id', path))) return <Contact id={params.id} />;
  if (match('/contacts', path)) return <Contacts query={queryOf(path)} />;
  if (match('/groups', path)) return <Groups />;
  if (match('/email-accounts', path)) return <EmailAccounts />;
  if (match('/domains', path)) return <Domains />;
  if (match('/suppressions', path)) return <Suppressions />;
  if (match('/inbox', path)) return <Inbox />;
  if (match('/webhooks', path)) return <Webhooks />;
  if (match('/api-keys', path)) return <ApiKeys />;
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        <Link to="/campaigns">Go to the campaigns</Link>
      </p>
    </section>
  );
}

export function App() {
  const path = useLocation();
  const [session, reason] = useSession();
  const main = useRef<HTMLElement>(null);
  const [menuOpen, setMenuOpen] = useState(false);

  // Signed out: the sign-in page, then back to the page that was asked for.
  const returnTo = useRef<string | null>(null);
  useEffect(() => {
    const onAuthPage = path.startsWith('/signin') || path.startsWith('/signup');
    if (!session && !onAuthPage) {
      returnTo.current = path === '/' ? null : path;
      navigate('/signin', true);
    } else if (session && (path === '/' || onAuthPage)) {
      navigate(returnTo.current ?? '/campaigns', true);
      returnTo.current = null;
    }
  }, [session, path]);

  // A new page: move focus to its content so keyboard and screen-reader users start there.
  const first = useRef(true);
  useEffect(() => {
    setMenuOpen(false);
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [path.split('?')[0]]);

  if (!session) {
    return <SignIn mode={path.startsWith('/signup') ? 'signup' : 'signin'} notice={reason} />;
  }

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link to="/campaigns" class="brand">
          Fluenz<span>R</span>
        </Link>
        <button
          type="button"
          class="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu
        </button>
        <nav id="nav" class={menuOpen ? 'open' : undefined} aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.to}>
                <Link to={item.to} current={path === item.to || path.startsWith(item.to + '/') || path.startsWith(item.to + '?')}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="account">
          <span class="muted" title={session.email}>
            {session.workspaceName}
          </span>
          <button type="button" onClick={() => signOut('You signed out.')}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Page path={path} />
      </main>
    </>
  );
}
