import type { Channel } from '@michat/client';
import type { JoinRequest } from '@michat/protocol';
import { useEffect, useState } from 'preact/hooks';
import { Avatar } from './avatar.tsx';
import { Dialog } from './dialog.tsx';
import { errorText } from './errors.ts';
import { useStore } from './store-context.ts';
import { relativeTime } from './time.ts';

/** The owner's approval list of a restricted channel. */
export function Requests({ channel, onClose }: { channel: Channel; onClose: () => void }) {
  const store = useStore();
  const [requests, setRequests] = useState<JoinRequest[]>();
  const [error, setError] = useState<string>();
  const load = () =>
    store.api?.joinRequests(channel.id).then(
      (r) => setRequests(r),
      (e: unknown) => setError(errorText(e)),
    );
  useEffect(() => void load(), [channel.id]);
  const decide = async (r: JoinRequest, accept: boolean) => {
    try {
      await store.api?.decideRequest(channel.id, r.userId, accept);
      await load();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const pending = requests?.filter((r) => r.state === 'pending') ?? [];
  const refused = requests?.filter((r) => r.state === 'refused') ?? [];
  return (
    <Dialog title={`Join requests · #${channel.name}`} onClose={onClose}>
      <div class="dialog-body">
        {error ? <p class="form-error" role="alert">{error}</p> : null}
        {!requests && !error ? <p class="muted">Loading…</p> : null}
        {requests ? (
          <>
            <ul class="list" aria-label="Pending requests">
              {pending.map((r) => (
                <li key={r.userId}>
                  <Avatar name={r.username} size="small" />
                  <div class="grow">
                    <div class="title">{r.username}</div>
                    <div class="sub">Asked {relativeTime(r.asked)}</div>
                  </div>
                  <button type="button" class="btn btn-small" onClick={() => void decide(r, false)} aria-label={`Decline ${r.username}`}>
                    Decline
                  </button>
                  <button type="button" class="btn btn-small btn-primary" onClick={() => void decide(r, true)} aria-label={`Approve ${r.username}`}>
                    Approve
                  </button>
                </li>
              ))}
              {!pending.length ? <li class="muted">No one is waiting.</li> : null}
            </ul>
            {refused.length ? (
              <>
                <h3 class="section-title">Declined</h3>
                <ul class="list">
                  {refused.map((r) => (
                    <li key={r.userId}>
                      <Avatar name={r.username} size="small" />
                      <span class="grow title">{r.username}</span>
                      <button type="button" class="btn btn-small" onClick={() => void decide(r, true)}>
                        Approve
                      </button>
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </>
        ) : null}
      </div>
    </Dialog>
  );
}
