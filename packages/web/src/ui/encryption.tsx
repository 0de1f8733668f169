import { MichatError, type Channel, type DeviceTrust } from '@michat/client';
import { useEffect, useState } from 'preact/hooks';
import type { ChannelEntry } from '../data/channel-entry.ts';
import { Avatar } from './avatar.tsx';
import { Dialog } from './dialog.tsx';
import { errorText } from './errors.ts';
import { CheckIcon, ShieldCheckIcon, WarningIcon } from './icons.tsx';
import { useStore } from './store-context.ts';

/** A device key's fingerprint: 12 groups of 5 digits, on one line or two of 6 groups. */
export function Fingerprint({ value }: { value: string }) {
  const groups = value.split(' ');
  return (
    <code class="fingerprint">
      <span>{groups.slice(0, 6).join(' ')}</span> <span>{groups.slice(6).join(' ')}</span>
    </code>
  );
}

/** "1 device", "3 devices": those with a key (the ones a safety number covers). */
function devices(list: DeviceTrust[]): string {
  const n = list.filter((d) => d.fingerprint).length;
  return `${n} device${n === 1 ? '' : 's'}`;
}

function deviceLabel(d: DeviceTrust): string {
  return d.current ? `Device ${d.deviceId} (this device)` : `Device ${d.deviceId}`;
}

/** A person's devices with their fingerprints: a check when verified, a warning when the key changed. */
function DeviceRows({ devices, label }: { devices: DeviceTrust[]; label: string }) {
  return (
    <ul class="device-keys" aria-label={label}>
      {devices.map((d) => (
        <li key={d.deviceId} data-device-id={d.deviceId} class={d.changed ? 'changed' : undefined}>
          <div class="device-name">
            {d.verified ? (
              <span class="verified-mark" title="Verified">
                <CheckIcon />
              </span>
            ) : d.changed ? (
              <span class="changed-mark">
                <WarningIcon />
              </span>
            ) : null}
            {deviceLabel(d)}
            {d.verified ? <span class="sr-only">, verified</span> : null}
            {d.changed ? <span class="device-state">key changed</span> : null}
          </div>
          {d.fingerprint ? <Fingerprint value={d.fingerprint} /> : <span class="muted">No key yet: it has not opened michat since it signed in.</span>}
          {d.changed && d.firstSeen && d.firstSeen !== d.fingerprint ? (
            <div class="hint">
              First seen as <Fingerprint value={d.firstSeen} />
            </div>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

/** Per person: verified, key changed, or nothing said yet. */
function PersonState({ devices }: { devices: DeviceTrust[] }) {
  const keyed = devices.filter((d) => d.fingerprint);
  if (devices.some((d) => d.changed)) return <span class="pill danger">Key changed</span>;
  if (keyed.length && keyed.every((d) => d.verified))
    return (
      <span class="pill success">
        <ShieldCheckIcon /> Verified
      </span>
    );
  return null;
}

/**
 * Each member's devices in a channel, with fingerprints, and for everyone else a Verify button
 * that shows the safety number to compare (in this panel: dialogs do not nest).
 */
export function EncryptionPanel({ channel, channelKey }: { channel: Channel; channelKey: string }) {
  const store = useStore();
  const [devices, setDevices] = useState<DeviceTrust[]>();
  const [error, setError] = useState<string>();
  const [verifying, setVerifying] = useState<{ userId: number; username: string }>();
  const me = store.client?.session.userId;
  const load = async () => {
    const verification = store.client?.verification;
    if (!verification) return setError('End-to-end encryption is off in this app.');
    try {
      const list = await verification.channelDevices(channel.id);
      store.channelDevices.set(channelKey, list);
      setDevices(list);
    } catch (e) {
      setError(`Could not load the devices: ${errorText(e)}`);
    }
  };
  useEffect(() => void load(), [channel.id]);
  if (verifying)
    return (
      <VerifyView
        userId={verifying.userId}
        username={verifying.username}
        onBack={() => {
          setVerifying(undefined);
          void load();
        }}
      />
    );
  const people = new Map<number, { username: string; devices: DeviceTrust[] }>();
  for (const d of [...(devices ?? [])].sort((a, b) => Number(b.userId === me) - Number(a.userId === me))) {
    const person = people.get(d.userId) ?? { username: d.username, devices: [] };
    person.devices.push(d);
    people.set(d.userId, person);
  }
  const where = channel.visibility === 'direct' ? 'this conversation' : `#${channel.name}`;
  return (
    <div class="encryption">
      <p class="muted">
        Messages in {where} are end-to-end encrypted: each is sealed on the sender’s device for the devices below, and the server only passes on ciphertext. Each device has its own key, shown as a
        fingerprint. To be sure nobody else is reading along, compare safety numbers with each person.
      </p>
      {error ? (
        <p class="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {!devices && !error ? <p class="muted">Loading…</p> : null}
      {devices ? (
        <ul class="list" aria-label="Members’ devices">
          {[...people].map(([userId, person]) => (
            <li key={userId} class="wrap person-devices">
              <Avatar name={person.username} size="small" />
              <div class="grow">
                <div class="title">
                  {person.username} {userId === me ? <span class="pill accent">you</span> : <PersonState devices={person.devices} />}
                </div>
              </div>
              {userId === me ? null : (
                <button type="button" class="btn btn-small" aria-label={`Verify ${person.username}`} onClick={() => setVerifying({ userId, username: person.username })}>
                  Verify
                </button>
              )}
              <DeviceRows devices={person.devices} label={userId === me ? 'Your devices' : `${person.username}’s devices`} />
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/**
 * The safety number of the signed-in user and another person, with how to compare it, their
 * devices, and the button that marks those devices verified (or takes it back).
 */
export function VerifyView({ userId, username, onBack }: { userId: number; username: string; onBack?: () => void }) {
  const store = useStore();
  const [state, setState] = useState<{ safetyNumber: string; mine: DeviceTrust[]; theirs: DeviceTrust[] }>();
  const [error, setError] = useState<string>();
  const [info, setInfo] = useState<string>();
  const [busy, setBusy] = useState(false);
  const load = async () => {
    const verification = store.client?.verification;
    if (!verification) return setError('End-to-end encryption is off in this app.');
    try {
      setState(await verification.compare(userId));
    } catch (e) {
      setError(`Could not load the safety number: ${errorText(e)}`);
    }
  };
  useEffect(() => void load(), [userId]);
  const self = userId === store.client?.session.userId;
  const theirs = (state?.theirs ?? []).filter((d) => d.fingerprint && !d.current);
  const allVerified = theirs.length > 0 && theirs.every((d) => d.verified);
  const changed = theirs.some((d) => d.changed);
  const whose = self ? 'your other devices' : `${username}’s devices`;
  const act = async (verify: boolean) => {
    setBusy(true);
    setError(undefined);
    setInfo(undefined);
    try {
      if (verify) await store.markVerified(theirs);
      else await store.unverify(theirs);
      setInfo(verify ? `You verified ${whose}.` : `${whose[0]!.toUpperCase()}${whose.slice(1)} are no longer marked verified.`);
    } catch (e) {
      const moved = e instanceof MichatError && (e.kind === 'Conflict' || e.kind === 'NotFound');
      setError(moved ? `${self ? 'Your' : `${username}’s`} devices changed while you compared: this is the new safety number. Compare it again.` : `Could not save: ${errorText(e)}`);
    } finally {
      setBusy(false);
      await load();
    }
  };
  return (
    <div class="verify">
      {onBack ? (
        <button type="button" class="btn btn-small" onClick={onBack}>
          ← All devices
        </button>
      ) : null}
      <h3 class="section-title">{self ? 'Your safety number' : `Safety number with ${username}`}</h3>
      {changed ? (
        <p class="form-error" role="alert">
          A key of {whose} is not the one this browser saw first. It could be someone reading along. Do not share anything sensitive until you have compared the number below
          {self ? ' on your other device' : ` with ${username}`}.
        </p>
      ) : null}
      <p class="muted">
        {self
          ? 'Open Verify on your other device and check that it shows the same number.'
          : `Compare these 60 digits with ${username}, in person or on a call, not in a message here: whoever could swap keys could swap messages too. ${username} sees them under Verify next to your name.`}{' '}
        If every digit matches, nobody is in between.
      </p>
      {state ? (
        <div class="safety-number" data-testid="safety-number" role="group" aria-label={self ? 'Your safety number' : `Safety number with ${username}`}>
          {state.safetyNumber.split(' ').map((group, i) => (
            <span key={i}>{group}</span>
          ))}
        </div>
      ) : error ? null : (
        <p class="muted">Loading…</p>
      )}
      {state ? (
        <p class="hint">
          {self
            ? `It covers your ${devices(state.mine)}, and changes when you sign in on a new one.`
            : `It covers your ${devices(state.mine)} and ${username}’s ${devices(state.theirs)}, and changes when either of you signs in on a new one.`}
        </p>
      ) : null}
      {error ? (
        <p class="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {info ? (
        <p class="form-info" role="status">
          {info}
        </p>
      ) : null}
      {state ? (
        <>
          <h3 class="section-title">{self ? 'Your other devices' : `${username}’s devices`}</h3>
          {theirs.length ? <DeviceRows devices={theirs} label={whose} /> : <p class="muted">No other device with a key.</p>}
          <div class="row end verify-actions">
            {allVerified ? (
              <button type="button" class="btn" disabled={busy} onClick={() => void act(false)}>
                Remove verification
              </button>
            ) : (
              <button type="button" class="btn btn-primary" disabled={busy || !theirs.length} onClick={() => void act(true)}>
                The numbers match: mark as verified
              </button>
            )}
          </div>
        </>
      ) : null}
    </div>
  );
}

/** The verify flow on its own (the warning banner's button). */
export function VerifyDialog({ userId, username, onClose }: { userId: number; username: string; onClose: () => void }) {
  const store = useStore();
  const self = userId === store.client?.session.userId;
  return (
    <Dialog title={self ? 'Verify your devices' : `Verify ${username}`} onClose={onClose}>
      <div class="dialog-body">
        <VerifyView userId={userId} username={username} />
      </div>
    </Dialog>
  );
}

/** A direct message's devices (a channel shows them in Channel details → Encryption). */
export function EncryptionDialog({ ch, onClose }: { ch: ChannelEntry; onClose: () => void }) {
  const store = useStore();
  return (
    <Dialog title={`Encryption · ${store.channelTitle(ch.channel)}`} onClose={onClose}>
      <div class="dialog-body">
        <EncryptionPanel channel={ch.channel} channelKey={ch.key} />
      </div>
    </Dialog>
  );
}
