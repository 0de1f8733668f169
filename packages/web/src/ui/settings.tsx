import type { DeviceTrust } from '@michat/client';
import type { CreatedInvite, SignedInDevice } from '@michat/protocol';
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText } from './errors.ts';
import { Dialog } from './dialog.tsx';
import { Fingerprint } from './encryption.tsx';
import { PassphraseForm } from './passphrase-form.tsx';
import { useStore } from './store-context.ts';
import { relativeTime } from './time.ts';
import { TabList } from './tab-list.tsx';

type Tab = 'account' | 'devices' | 'invites' | 'backup';


function Devices() {
  const store = useStore();
  const [devices, setDevices] = useState<SignedInDevice[]>();
  const [error, setError] = useState<string>();
  const [keys, setKeys] = useState<{ own: string; devices: Map<number, DeviceTrust> }>();
  const load = () => store.api?.devices().then(setDevices, (e: unknown) => setError(errorText(e)));
  const loadKeys = async () => {
    const verification = store.client?.verification;
    if (!verification || !store.client) return;
    const own = await verification.ownFingerprint();
    const listed = await verification.devices(store.client.session.userId).catch(() => []);
    setKeys({ own, devices: new Map(listed.map((d) => [d.deviceId, d])) });
  };
  useEffect(() => {
    void load();
    loadKeys().catch(() => undefined);
  }, []);
  const revoke = async (d: SignedInDevice) => {
    try {
      await store.api?.revokeDevice(d.deviceId);
      await load();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const everywhere = async () => {
    if (!confirm('Sign out on every device, this one included?')) return;
    try {
      await store.api?.logoutEverywhere();
    } catch (e) {
      setError(errorText(e));
      return;
    }
    await store.signOut();
  };
  const shown = devices?.filter((d) => d.signedIn) ?? [];
  return (
    <div>
      <p class="muted">Every sign-in is a device. Sign out of one you no longer use or don't recognize.</p>
      {error ? <p class="form-error" role="alert">{error}</p> : null}
      {!devices && !error ? <p class="muted">Loading…</p> : null}
      {devices ? (
        <ul class="list" aria-label="Signed-in devices">
          {shown.map((d) => (
            <li key={d.deviceId} data-device-id={d.deviceId}>
              <div class="grow">
                <div class="title">
                  {d.name || `Device ${d.deviceId}`} {d.current ? <span class="pill accent">This device</span> : null}
                </div>
                <div class="sub">
                  Signed in {relativeTime(d.created)} · last active {relativeTime(d.lastUsedAt)}
                </div>
                <DeviceFingerprint fingerprint={d.current ? keys?.own : keys?.devices.get(d.deviceId)?.fingerprint} current={d.current === true} />
              </div>
              {d.current ? null : (
                <button type="button" class="btn btn-small btn-danger" onClick={() => void revoke(d)} aria-label={`Sign out ${d.name || `device ${d.deviceId}`}`}>
                  Sign out
                </button>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      <h3 class="section-title">Everywhere</h3>
      <button type="button" class="btn btn-danger" onClick={() => void everywhere()}>
        Sign out of all devices
      </button>
    </div>
  );
}

/** A device's key fingerprint: what others compare to verify it. */
function DeviceFingerprint({ fingerprint, current }: { fingerprint: string | undefined; current: boolean }) {
  if (!fingerprint) return null;
  return (
    <div class="device-fingerprint" data-testid={current ? 'own-fingerprint' : undefined}>
      <span class="muted">{current ? 'Key fingerprint (others see it when they verify you)' : 'Fingerprint'}</span>
      <Fingerprint value={fingerprint} />
    </div>
  );
}

function Invites() {
  const store = useStore();
  const [teamId, setTeamId] = useState<number | undefined>(store.teams[0]?.id);
  const [invite, setInvite] = useState<CreatedInvite>();
  const [error, setError] = useState<string>();
  const [copied, setCopied] = useState(false);
  const create = async () => {
    setError(undefined);
    setCopied(false);
    try {
      setInvite(await store.api?.createInvite(teamId));
    } catch (e) {
      setError(errorText(e));
    }
  };
  const link = invite ? new URL(`/invite/${invite.code}`, location.origin).href : '';
  return (
    <div>
      <p class="muted">An invite link lets up to 10 people create an account in {store.me?.org.name} within 7 days.</p>
      {error ? <p class="form-error" role="alert">{error}</p> : null}
      <div class="field">
        <label for="invite-team">Add them to</label>
        <select id="invite-team" class="input" value={teamId ?? ''} onChange={(e) => setTeamId(e.currentTarget.value ? Number(e.currentTarget.value) : undefined)}>
          <option value="">No team (organization only)</option>
          {store.teams.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </div>
      <button type="button" class="btn btn-primary" onClick={() => void create()}>
        Create invite link
      </button>
      {invite ? (
        <div style={{ marginTop: 'var(--space-4)' }}>
          <label class="muted" for="invite-link">
            Share this link (it is shown once):
          </label>
          <div class="row" style={{ marginTop: '6px', flexWrap: 'nowrap' }}>
            <input id="invite-link" class="input" readOnly value={link} onFocus={(e) => e.currentTarget.select()} data-testid="invite-link" />
            <button
              type="button"
              class="btn"
              onClick={() => {
                void navigator.clipboard?.writeText(link).then(() => setCopied(true));
              }}
            >
              {copied ? 'Copied' : 'Copy'}
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}

function Backup() {
  const store = useStore();
  const [error, setError] = useState<string>();
  const [info, setInfo] = useState<string>();
  const [asking, setAsking] = useState<{ export: true } | { import: string }>();
  const input = useRef<HTMLInputElement>(null);
  const exportNow = async (passphrase: string) => {
    const blob = await store.exportBackup(passphrase);
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `michat-${store.me?.org.name ?? 'org'}-${store.username()}-${new Date().toISOString().slice(0, 10)}.json`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    setAsking(undefined);
    setInfo('Backup saved, encrypted with your passphrase. Restoring it needs that passphrase: nobody can recover a forgotten one.');
  };
  const importText = async (text: string, passphrase?: string) => {
    await store.importBackup(text, passphrase);
    setAsking(undefined);
    setInfo('Backup restored.');
  };
  const chosen = async () => {
    const file = input.current?.files?.[0];
    if (!file) return;
    setError(undefined);
    setInfo(undefined);
    const text = await file.text();
    if (input.current) input.current.value = '';
    if (store.backupNeedsPassphrase(text)) return setAsking({ import: text });
    await importText(text).catch((e: unknown) => setError(errorText(e)));
  };
  return (
    <div>
      <p class="muted">
        michat keeps your channels on this device so they open instantly and work offline. Export them to a file to move to another browser, or to restore after clearing site data.
      </p>
      {error ? <p class="form-error" role="alert">{error}</p> : null}
      {info ? <p class="form-info" role="status">{info}</p> : null}
      <div class="row">
        <button
          type="button"
          class="btn btn-primary"
          onClick={() => {
            setError(undefined);
            setInfo(undefined);
            setAsking({ export: true });
          }}
        >
          Export backup
        </button>
        <button type="button" class="btn" onClick={() => input.current?.click()}>
          Import backup…
        </button>
        <input ref={input} type="file" accept="application/json,.json" class="sr-only" aria-label="Backup file to import" onChange={() => void chosen()} />
      </div>
      {asking && 'export' in asking ? (
        <PassphraseForm
          key="export"
          label="Encrypt the backup"
          confirm
          hint="The backup holds your session and this device's encryption keys, so it is encrypted with this passphrase."
          submit="Encrypt and download"
          busy="Encrypting…"
          onSubmit={exportNow}
          onCancel={() => setAsking(undefined)}
        />
      ) : asking ? (
        <PassphraseForm
          key="import"
          label="Open the backup"
          hint="The passphrase this backup was encrypted with."
          submit="Open backup"
          busy="Opening…"
          onSubmit={(passphrase) => importText(asking.import, passphrase)}
          onCancel={() => setAsking(undefined)}
        />
      ) : null}
    </div>
  );
}

function Account({ onClose }: { onClose: () => void }) {
  const store = useStore();
  const me = store.me;
  const [forget, setForget] = useState(false);
  return (
    <div>
      <ul class="list">
        <li>
          <div class="grow">
            <div class="title">{me?.username}</div>
            <div class="sub">
              {me?.org.name}
              {me?.orgAdmin ? ' · organization admin' : ''}
            </div>
          </div>
        </li>
      </ul>
      <h3 class="section-title">Sign out</h3>
      <label class="row muted" style={{ marginBottom: 'var(--space-3)' }}>
        <input type="checkbox" checked={forget} onChange={(e) => setForget(e.currentTarget.checked)} /> Also delete this account's messages stored in this browser
      </label>
      <button
        type="button"
        class="btn btn-danger"
        onClick={() => {
          onClose();
          void store.signOut(forget);
        }}
      >
        Sign out of this device
      </button>
    </div>
  );
}

export function Settings({ onClose }: { onClose: () => void }) {
  const store = useStore();
  const canInvite = store.me?.orgAdmin || store.teams.some((t) => t.role === 'owner' || t.role === 'admin');
  const tabs: Array<[Tab, string]> = [
    ['account', 'Account'],
    ['devices', 'Devices'],
    ...(canInvite ? ([['invites', 'Invites']] as Array<[Tab, string]>) : []),
    ['backup', 'Backup'],
  ];
  const [tab, setTab] = useState<Tab>('account');
  return (
    <Dialog title="Settings" onClose={onClose}>
      <TabList label="Settings sections" idPrefix="" tabs={tabs} selected={tab} onSelect={setTab} />
      <div class="dialog-body tab-panel" role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'account' ? <Account onClose={onClose} /> : tab === 'devices' ? <Devices /> : tab === 'invites' ? <Invites /> : <Backup />}
      </div>
    </Dialog>
  );
}
