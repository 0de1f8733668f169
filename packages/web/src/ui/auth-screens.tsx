import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { useStore } from './store-context.ts';
import { Logo } from './icons.tsx';
import { PassphraseForm } from './passphrase-form.tsx';

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function AuthCard({ title, lede, children, foot }: { title: string; lede: string; children: ComponentChildren; foot?: ComponentChildren }) {
  return (
    <main class="auth">
      <div class="auth-card">
        <div class="brand">
          <Logo />
          michat
        </div>
        <h1>{title}</h1>
        <p class="lede">{lede}</p>
        {children}
        {foot ? <div class="auth-foot">{foot}</div> : null}
      </div>
    </main>
  );
}

function useSubmit(run: () => Promise<void>): { busy: boolean; error: string | undefined; submit: (e: Event) => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const submit = (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    run().catch((err: unknown) => {
      setError(errorText(err));
      setBusy(false);
    });
  };
  return { busy, error, submit };
}

/** Restores a backup file on a browser with no account (after "clear site data", or on a new machine). */
function RestoreLink() {
  const store = useStore();
  const input = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<string>();
  const [encrypted, setEncrypted] = useState<string>();
  const onFile = async () => {
    const file = input.current?.files?.[0];
    if (!file) return;
    setError(undefined);
    const text = await file.text();
    if (input.current) input.current.value = '';
    if (store.backupNeedsPassphrase(text)) return setEncrypted(text);
    try {
      await store.importBackup(text);
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <>
      <button type="button" class="link-btn" onClick={() => input.current?.click()}>
        Restore from a backup file
      </button>
      <input ref={input} type="file" accept="application/json,.json" class="sr-only" aria-label="Backup file to restore" data-testid="restore-file" onChange={() => void onFile()} />
      {error ? <p class="form-error" role="alert" style={{ width: '100%', marginBottom: 0 }}>{error}</p> : null}
      {encrypted !== undefined ? (
        <PassphraseForm
          label="Open the backup"
          hint="The passphrase this backup was encrypted with."
          submit="Open backup"
          busy="Opening…"
          onSubmit={(passphrase) => store.importBackup(encrypted, passphrase)}
          onCancel={() => setEncrypted(undefined)}
        />
      ) : null}
    </>
  );
}

export function SignIn() {
  const store = useStore();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [showInit, setShowInit] = useState(false);
  const { busy, error, submit } = useSubmit(() => store.signIn(username.trim().toLowerCase(), password));
  return (
    <AuthCard
      title="Sign in"
      lede="Welcome back. Sign in to your team's michat."
      foot={
        <>
          <RestoreLink />
          <button type="button" class="link-btn" onClick={() => setShowInit(!showInit)} aria-expanded={showInit}>
            Setting up a new server?
          </button>
        </>
      }
    >
      {store.notice ? <p class={store.notice.kind === 'error' ? 'form-error' : 'form-info'} role="status">{store.notice.text}</p> : null}
      {error ? <p class="form-error" role="alert">{error}</p> : null}
      <form onSubmit={submit} aria-label="Sign in">
        <div class="field">
          <label for="signin-user">Username</label>
          <input id="signin-user" class="input" name="username" autoComplete="username" autoCapitalize="none" spellcheck={false} required value={username} onInput={(e) => setUsername(e.currentTarget.value)} autoFocus />
        </div>
        <div class="field">
          <label for="signin-password">Password</label>
          <input id="signin-password" class="input" type="password" name="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </div>
        <button class="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {showInit ? (
        <div style={{ marginTop: 'var(--space-4)' }}>
          <p class="muted">
            A new server starts without an organization. Create it and its first admin with the <code>michat</code> command on the server, then sign in here:
          </p>
          <pre>npx michat admin init --data ./michat-data --org acme --user alice --password '…'</pre>
          <p class="muted">New people join with an invite link from an admin (Settings → Invites).</p>
        </div>
      ) : null}
    </AuthCard>
  );
}

export function Register({ code, onSignIn }: { code: string; onSignIn: () => void }) {
  const store = useStore();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, submit } = useSubmit(async () => {
    await store.register(code, username.trim().toLowerCase(), password);
    history.replaceState(null, '', '/');
  });
  return (
    <AuthCard
      title="Join your team"
      lede="You were invited to michat. Pick a username and a password to create your account."
      foot={
        <>
          <span>Already have an account?</span>
          <button type="button" class="link-btn" onClick={onSignIn}>
            Sign in
          </button>
        </>
      }
    >
      {error ? <p class="form-error" role="alert">{error}</p> : null}
      <form onSubmit={submit} aria-label="Create your account">
        <div class="field">
          <label for="reg-user">Username</label>
          <input id="reg-user" class="input" name="username" autoComplete="username" autoCapitalize="none" spellcheck={false} required pattern="[a-z0-9][a-z0-9._\-]*" maxLength={64} value={username} onInput={(e) => setUsername(e.currentTarget.value)} autoFocus />
          <span class="hint">Lowercase letters, digits, dot, dash and underscore.</span>
        </div>
        <div class="field">
          <label for="reg-password">Password</label>
          <input id="reg-password" class="input" type="password" name="new-password" autoComplete="new-password" required minLength={10} value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          <span class="hint">At least 8 characters.</span>
        </div>
        <button class="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Creating your account…' : 'Create account'}
        </button>
      </form>
    </AuthCard>
  );
}

export function Setup() {
  const store = useStore();
  const [org, setOrg] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, submit } = useSubmit(() => store.setup(org.trim().toLowerCase(), username.trim().toLowerCase(), password));
  return (
    <AuthCard title="Set up michat" lede="This server has no organization yet. Name yours and create its first admin account." foot={<RestoreLink />}>
      {error ? <p class="form-error" role="alert">{error}</p> : null}
      <form onSubmit={submit} aria-label="Create the organization">
        <div class="field">
          <label for="setup-org">Organization</label>
          <input id="setup-org" class="input" required pattern="[a-z0-9][a-z0-9._\-]*" maxLength={64} placeholder="acme" value={org} onInput={(e) => setOrg(e.currentTarget.value)} autoFocus />
        </div>
        <div class="field">
          <label for="setup-user">Admin username</label>
          <input id="setup-user" class="input" autoComplete="username" autoCapitalize="none" required pattern="[a-z0-9][a-z0-9._\-]*" maxLength={64} value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="setup-password">Password</label>
          <input id="setup-password" class="input" type="password" autoComplete="new-password" required minLength={10} value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </div>
        <button class="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Creating…' : 'Create organization'}
        </button>
      </form>
    </AuthCard>
  );
}
