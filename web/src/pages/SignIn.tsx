import { useState } from 'preact/hooks';
import { gql } from '../api/client';
import * as Docs from '../gql/documents';
import { signIn } from '../api/session';
import type { LoginMutation } from '../gql/types';
import { Link } from '../components/Link';
import { ErrorNote, useAction } from '../components/ui';

type Payload = LoginMutation['login'];

function start(payload: Payload): void {
  signIn({
    token: payload.token,
    expiresAt: payload.expiresAt,
    email: payload.user.email,
    workspaceName: payload.workspace.name,
    workspaceId: payload.workspace.id,
    plan: payload.workspace.plan,
  });
}

/** Sign in (`login`) or create a workspace (`signUp`). */
export function SignIn({ mode, notice }: { mode: 'signin' | 'signup'; notice?: string }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [workspaceName, setWorkspaceName] = useState('');
  const signingUp = mode === 'signup';

  const action = useAction(async () => {
    if (signingUp) {
      const data = await gql(Docs.SignUp, {
        input: { email, password, name: name || null, workspaceName: workspaceName || null },
      });
      start(data.signUp);
    } else {
      const data = await gql(Docs.Login, { email, password });
      start(data.login);
    }
  });

  return (
    <main id="main" class="auth" tabIndex={-1}>
      <div class="auth-card">
        <p class="brand-large" aria-hidden="true">
          Fluenz<span>R</span>
        </p>
        <h1>{signingUp ? 'Create your workspace' : 'Sign in'}</h1>
        {notice && (
          <p class="note" role="status">
            {notice}
          </p>
        )}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            action.run();
          }}
        >
          {signingUp && (
            <>
              <label>
                Your name
                <input value={name} onInput={(e) => setName(e.currentTarget.value)} autocomplete="name" />
              </label>
              <label>
                Workspace name
                <input value={workspaceName} onInput={(e) => setWorkspaceName(e.currentTarget.value)} autocomplete="organization" />
              </label>
            </>
          )}
          <label>
            Email
            <input
              type="email"
              required
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
              autocomplete="email"
            />
          </label>
          <label>
            Password
            <input
              type="password"
              required
              minLength={signingUp ? 8 : undefined}
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
              autocomplete={signingUp ? 'new-password' : 'current-password'}
            />
          </label>
          <ErrorNote error={action.error} />
          <button type="submit" class="primary" disabled={action.pending}>
            {action.pending ? 'Please wait…' : signingUp ? 'Create workspace' : 'Sign in'}
          </button>
        </form>
        <p class="muted">
          {signingUp ? (
            <>
              Already have an account? <Link to="/signin">Sign in</Link>
            </>
          ) : (
            <>
              New here? <Link to="/signup">Create a workspace</Link>
            </>
          )}
        </p>
      </div>
    </main>
  );
}
