import type { ChannelEntry } from '../data/channel-entry.ts';
import { EncryptedIcon, WarningIcon } from './icons.tsx';
import { useStore } from './store-context.ts';

/**
 * The lock in a channel's header: it says the channel is end-to-end encrypted (and whether
 * every other device is verified, or a key changed), and opens the members' devices.
 */
export function EncryptionLock({ ch, onOpen }: { ch: ChannelEntry; onOpen: () => void }) {
  const store = useStore();
  const devices = store.channelDevices.get(ch.key) ?? [];
  const me = store.client?.session.userId;
  const changed = devices.some((d) => d.changed);
  const others = devices.filter((d) => d.userId !== me && d.fingerprint);
  const verified = others.length > 0 && others.every((d) => d.verified);
  const label = changed ? 'End-to-end encrypted. Warning: a device’s key changed' : verified ? 'End-to-end encrypted, every device verified' : 'End-to-end encrypted';
  const tip = `${label}. Messages are sealed on the sender’s device and only the members’ devices can open them; the server passes on ciphertext it cannot read. Select to see and verify their devices.`;
  return (
    <button type="button" class={`icon-btn e2ee-lock${changed ? ' warning' : verified ? ' verified' : ''}`} aria-label={label} title={tip} aria-haspopup="dialog" data-testid="e2ee-lock" onClick={onOpen}>
      {changed ? <WarningIcon /> : <EncryptedIcon />}
    </button>
  );
}

/**
 * Loud, and not dismissible: a device's key is not the one this browser saw first. It goes
 * when the user verifies that person's devices again (or the device signs out).
 */
export function KeyChangeBanner({ onVerify }: { onVerify: (userId: number, username: string) => void }) {
  const store = useStore();
  if (!store.changedKeys.length) return null;
  const me = store.client?.session.userId;
  const people = new Map<number, { username: string; devices: number[] }>();
  for (const c of store.changedKeys) {
    const person = people.get(c.userId) ?? { username: c.username, devices: [] };
    person.devices.push(c.deviceId);
    people.set(c.userId, person);
  }
  const who = [...people]
    .map(([userId, p]) => `${userId === me ? 'your' : `${p.username}’s`} device${p.devices.length > 1 ? 's' : ''} ${p.devices.join(', ')}`)
    .join('; ');
  return (
    <div class="banner key-changed" role="alert" data-testid="key-changed-banner">
      <WarningIcon />
      <span>
        Security warning: the encryption key of {who} is not the one this browser saw first. Someone may be trying to read along. Compare safety numbers before you share anything sensitive.
      </span>
      {[...people].slice(0, 3).map(([userId, p]) => (
        <button key={userId} type="button" class="btn btn-small" onClick={() => onVerify(userId, p.username)}>
          {userId === me ? 'Verify your devices' : `Verify ${p.username}`}
        </button>
      ))}
    </div>
  );
}
