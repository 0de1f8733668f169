import type { Channel } from '@michat/client';
import { useEffect, useState } from 'preact/hooks';
import { errorText } from './errors.ts';
import { Dialog } from './dialog.tsx';
import { CheckIcon } from './icons.tsx';
import { ChannelGlyph } from './sidebar.tsx';
import { useStore } from './store-context.ts';

function joinLabel(c: Channel): string {
  if (c.member) return 'Open';
  if (c.visibility === 'restricted') return c.request === 'pending' ? 'Requested' : c.request === 'refused' ? 'Declined' : 'Ask to join';
  return 'Join';
}

/** Every channel one can see, with join / ask-to-join; and a form to make one. */
export function BrowseChannels({ onClose, onSelect }: { onClose: () => void; onSelect: (key: string) => void }) {
  const store = useStore();
  const [busy, setBusy] = useState<number>();
  const [error, setError] = useState<string>();
  const [info, setInfo] = useState<string>();
  useEffect(() => void store.refreshMe(), []);
  const act = async (c: Channel) => {
    if (c.member) {
      onSelect(c.key);
      onClose();
      return;
    }
    setBusy(c.id);
    setError(undefined);
    try {
      const result = await store.join(c);
      if (result.member) onClose();
      else setInfo(`Asked to join #${c.name}. Its owner will see your request.`);
    } catch (e) {
      setError(`Could not join #${c.name}: ${errorText(e)}`);
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <Dialog title="Browse channels" onClose={onClose} wide>
      <div class="dialog-body">
        {error ? <p class="form-error" role="alert">{error}</p> : null}
        {info ? <p class="form-info" role="status">{info}</p> : null}
        {store.teams.map((team) => (
          <section key={team.id}>
            <h3 class="section-title">{team.name}</h3>
            <ul class="list">
              {team.channels.map((c) => (
                <li key={c.key}>
                  <span class="list-glyph">
                    <ChannelGlyph channel={c} />
                  </span>
                  <div class="grow">
                    <div class="title">
                      {c.name} {c.visibility !== 'public' ? <span class="pill">{c.visibility}</span> : null} {c.archived ? <span class="pill">archived</span> : null}
                    </div>
                    <div class="sub">{c.topic || (c.visibility === 'restricted' ? 'Ask to join; the owner approves.' : c.visibility === 'private' ? 'Members are added by a moderator.' : 'Anyone in the team can join.')}</div>
                  </div>
                  {c.visibility === 'private' && !c.member ? null : (
                    <button
                      type="button"
                      class={`btn btn-small${c.member ? '' : ' btn-primary'}`}
                      disabled={busy === c.id || c.request === 'pending' || c.request === 'refused'}
                      onClick={() => void act(c)}
                      aria-label={`${joinLabel(c)}: ${c.name}`}
                    >
                      {c.member ? <CheckIcon /> : null}
                      {joinLabel(c)}
                    </button>
                  )}
                </li>
              ))}
              {!team.channels.length ? <li class="muted">No channels yet.</li> : null}
            </ul>
          </section>
        ))}
        {!store.teams.length ? <p class="empty">You are not in a team yet. An admin can add you to one.</p> : null}
      </div>
    </Dialog>
  );
}

export function NewChannel({ teamId, onClose }: { teamId: number; onClose: () => void }) {
  const store = useStore();
  const team = store.teams.find((t) => t.id === teamId);
  const [name, setName] = useState('');
  const [visibility, setVisibility] = useState<'public' | 'private' | 'restricted'>('public');
  const [topic, setTopic] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      await store.createChannel(teamId, name.trim().toLowerCase(), visibility, topic.trim() || undefined);
      onClose();
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <Dialog title={`New channel in ${team?.name ?? 'team'}`} onClose={onClose}>
      <form class="dialog-body" onSubmit={(e) => void submit(e)}>
        {error ? <p class="form-error" role="alert">{error}</p> : null}
        <div class="field">
          <label for="nc-name">Name</label>
          <input id="nc-name" class="input" required autoFocus pattern="[a-z0-9][a-z0-9._\-]*" maxLength={64} placeholder="design-reviews" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="nc-topic">Topic (optional)</label>
          <input id="nc-topic" class="input" maxLength={500} value={topic} onInput={(e) => setTopic(e.currentTarget.value)} />
        </div>
        <fieldset class="field" style={{ border: 0, padding: 0, margin: '0 0 var(--space-4)' }}>
          <legend style={{ fontSize: 'var(--text-sm)', fontWeight: 550, marginBottom: '6px' }}>Who can join</legend>
          {(
            [
              ['public', 'Public — anyone in the team'],
              ['restricted', 'Restricted — people ask, you approve'],
              ['private', 'Private — only people you add'],
            ] as const
          ).map(([v, label]) => (
            <label key={v} class="row" style={{ fontSize: 'var(--text-sm)', marginBottom: '4px' }}>
              <input type="radio" name="visibility" value={v} checked={visibility === v} onChange={() => setVisibility(v)} /> {label}
            </label>
          ))}
        </fieldset>
        <div class="row" style={{ justifyContent: 'flex-end' }}>
          <button type="button" class="btn" onClick={onClose}>
            Cancel
          </button>
          <button class="btn btn-primary" disabled={busy}>
            Create channel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
