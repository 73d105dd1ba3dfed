/** The signed-in user's session: a JWT kept in sessionStorage (this tab only) until it expires. */
import { setBearer, whenUnauthenticated } from './client';

export interface Session {
  token: string;
  expiresAt: string;
  email: string;
  workspaceName: string;
  workspaceId: string;
  plan: string;
}

const KEY = 'fluenzr.session';
type Listener = (session: Session | null, reason?: string) => void;

let current: Session | null = null;
let expiryTimer: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<Listener>();

function emit(reason?: string): void {
  for (const listener of listeners) listener(current, reason);
}

function schedule(session: Session): void {
  clearTimeout(expiryTimer);
  const ms = Date.parse(session.expiresAt) - Date.now();
  // Timers past ~24.8 days overflow; a session lasts an hour.
  expiryTimer = setTimeout(() => signOut('Your session expired. Sign in again.'), Math.max(0, Math.min(ms, 2 ** 31 - 1)));
}

export function getSession(): Session | null {
  return current;
}

export function signIn(session: Session): void {
  current = session;
  setBearer(session.token);
  try {
    sessionStorage.setItem(KEY, JSON.stringify(session));
  } catch {
    // Storage may be disabled (private mode): the session then lives in memory only.
  }
  schedule(session);
  emit();
}

export function signOut(reason?: string): void {
  clearTimeout(expiryTimer);
  current = null;
  setBearer(null);
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // Nothing stored.
  }
  emit(reason);
}

export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Restores a stored, unexpired session and signs out when the server refuses the token. */
export function restore(): void {
  whenUnauthenticated(() => signOut('Your session expired. Sign in again.'));
  let stored: Session | null = null;
  try {
    const raw = sessionStorage.getItem(KEY);
    stored = raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    stored = null;
  }
  if (stored && Date.parse(stored.expiresAt) > Date.now() + 5000) signIn(stored);
  else if (stored) signOut('Your session expired. Sign in again.');
}
