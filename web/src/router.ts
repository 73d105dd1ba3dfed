/** A small history-based router for the paths under the app's base (`/app/`). */
import { useEffect, useState } from 'preact/hooks';

const BASE = import.meta.env.BASE_URL.replace(/\/$/, '');

/** The app path (`/campaigns/cmp_…`) of the current location, with its query string. */
export function currentPath(): string {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  return (path || '/') + location.search;
}

/** The browser URL of an app path. */
export function href(path: string): string {
  return BASE + path;
}

const listeners = new Set<() => void>();

export function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, '', href(path));
  else history.pushState(null, '', href(path));
  for (const listener of listeners) listener();
}

let listening = false;

/** Re-renders on navigation and returns the current app path. */
export function useLocation(): string {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    if (!listening) {
      listening = true;
      window.addEventListener('popstate', () => {
        for (const listener of listeners) listener();
      });
    }
    const listener = () => setPath(currentPath());
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
  return path;
}

/** The query parameters of an app path. */
export function queryOf(path: string): URLSearchParams {
  const i = path.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : path.slice(i + 1));
}

/** Matches `/campaigns/:id` against a path (query ignored); returns the parameters or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const clean = path.split('?')[0].replace(/\/+$/, '') || '/';
  const want = pattern.split('/');
  const have = clean.split('/');
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(have[i]);
    else if (want[i] !== have[i]) return null;
  }
  return params;
}
