import type { Channel } from '@michat/client';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChannelEntry } from '../data/channel-entry.ts';
import type { Ban, ChannelMember } from '../data/directory-api.ts';
import { Avatar } from './avatar.tsx';
import { Dialog } from './dialog.tsx';
import { EncryptionPanel } from './encryption.tsx';
import { errorText } from './errors.ts';
import { Markdown } from './markdown.tsx';
import { useStore } from './store-context.ts';
import { relativeTime } from './time.ts';
import { TabList } from './tab-list.tsx';

export type DetailsTab = 'about' | 'members' | 'encryption';

const VISIBILITY: Record<Channel['visibility'], string> = {
  public: 'Public — anyone in the team can join',
  restricted: 'Restricted — people ask, a moderator approves',
  private: 'Private — only people a moderator adds',
  direct: 'Direct message',
};

const COMING_BACK: Record<Channel['visibility'], string> = {
  public: 'You can join again from Browse channels.',
  restricted: 'To come back you will have to ask again.',
  private: 'It is private: a moderator has to add you back.',
  direct: '',
};

/** What the last action said, shown next to where it was done. */
interface Said {
  at: string;
  kind: 'error' | 'info';
  text: string;
}

function Feedback({ said, at }: { said: Said | undefined; at: string }) {
  if (said?.at !== at) return null;
  return said.kind === 'error' ? (
    <p class="form-error" role="alert">
      {said.text}
    </p>
  ) : (
    <p class="form-info" role="status">
      {said.text}
    </p>
  );
}

/** An inline "are you sure?" for what is hard to undo; its button takes the focus. */
function Confirm(props: { text: string; action: string; busy: boolean; onConfirm: () => void; onCancel: () => void }) {
  const ref = useRef<HTMLButtonElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div class="confirm" role="group" aria-label="Confirm">
      <p>{props.text}</p>
      <div class="row">
        <button type="button" class="btn btn-small" onClick={props.onCancel}>
          Cancel
        </button>
        <button ref={ref} type="button" class="btn btn-small btn-danger-solid" disabled={props.busy} onClick={props.onConfirm}>
          {props.action}
        </button>
      </div>
    </div>
  );
}

/**
 * A channel's details and settings: topic, visibility, capacity, archive, leave (About), and
 * who is in it, with add, remove, ban and unban (Members). Moderators (store.canModerate)
 * see the controls; the server decides, and its refusal is shown where the action was.
 */
export function ChannelDetails({ ch, tab: firstTab, focusTopic, onClose }: { ch: ChannelEntry; tab: DetailsTab; focusTopic?: boolean; onClose: () => void }) {
  const store = useStore();
  const c = ch.channel;
  const mod = store.canModerate(c);
  const myId = store.me?.userId ?? store.client?.session.userId;
  const [tab, setTab] = useState<DetailsTab>(firstTab);
  const [members, setMembers] = useState<ChannelMember[]>();
  const [bans, setBans] = useState<Ban[]>();
  const [said, setSaid] = useState<Said>();
  const [busy, setBusy] = useState<string>();
  const [confirming, setConfirming] = useState<{ what: 'leave' } | { what: 'remove' | 'ban'; member: ChannelMember }>();
  const [topic, setTopic] = useState(c.topic ?? '');
  const [capacity, setCapacity] = useState(c.capacity ? String(c.capacity) : '');
  const [adding, setAdding] = useState('');
  const [people, setPeople] = useState<string[]>([]);

  const load = async () => {
    const api = store.api;
    if (!api) return;
    try {
      setMembers(await api.channelMembers(c.id));
    } catch (e) {
      setSaid({ at: 'members', kind: 'error', text: `Could not load the members: ${errorText(e)}` });
    }
    if (!mod) return;
    try {
      setBans(await api.bans(c.id));
    } catch (e) {
      setSaid({ at: 'bans', kind: 'error', text: `Could not load the bans: ${errorText(e)}` });
    }
  };
  useEffect(() => {
    void load();
    if (mod) store.people(c.teamId).then(setPeople, () => undefined);
  }, [c.id, mod]);
  // Another moderator's change reaches this view with the directory: show it when untouched.
  useEffect(() => setTopic(c.topic ?? ''), [c.topic]);
  useEffect(() => setCapacity(c.capacity ? String(c.capacity) : ''), [c.capacity]);

  /** Runs one action; its success or the server's refusal shows at `at`. */
  const run = async (at: string, failure: string, action: () => Promise<unknown>, success?: string): Promise<boolean> => {
    setBusy(at);
    setSaid(undefined);
    try {
      await action();
      if (success) setSaid({ at, kind: 'info', text: success });
      return true;
    } catch (e) {
      setSaid({ at, kind: 'error', text: `${failure}: ${errorText(e)}` });
      return false;
    } finally {
      setBusy(undefined);
    }
  };
  const api = () => {
    if (!store.api) throw new Error('not signed in');
    return store.api;
  };

  const saveTopic = (e: Event) => {
    e.preventDefault();
    void run('topic', 'Could not change the topic', () => store.setTopic(c, topic), topic.trim() ? 'Topic saved.' : 'Topic cleared.');
  };
  const saveCapacity = (e: Event) => {
    e.preventDefault();
    const value = capacity.trim() ? Number(capacity) : null;
    void run('capacity', 'Could not change the capacity', () => store.updateChannel(c, { capacity: value }), value ? `At most ${value} people can be in #${c.name}.` : `#${c.name} has no member limit.`);
  };
  const setArchived = (archived: boolean) =>
    void run('archive', archived ? 'Could not archive' : 'Could not unarchive', () => store.updateChannel(c, { archived }), archived ? `#${c.name} is archived: read-only for everyone.` : `#${c.name} is open for posting again.`);
  const leave = () => void run('leave', 'Could not leave', () => store.leaveChannel(c)).then((ok) => ok && onClose());
  const decide = async () => {
    if (!confirming || confirming.what === 'leave') return;
    const { what, member } = confirming;
    const ok = await run(
      'members',
      `Could not ${what} ${member.username}`,
      () => (what === 'ban' ? api().ban(c.id, member.userId) : api().removeMember(c.id, member.userId)),
      what === 'ban' ? `${member.username} is banned from #${c.name}.` : `${member.username} was removed from #${c.name}.`,
    );
    if (ok) setConfirming(undefined);
    await load();
  };
  const unban = async (b: Ban) => {
    await run('bans', `Could not unban ${b.username}`, () => api().unban(c.id, b.userId), `${b.username} may join #${c.name} again.`);
    await load();
  };
  const add = async (e: Event) => {
    e.preventDefault();
    const username = adding.trim().replace(/^@/, '').toLowerCase();
    if (!username) return;
    if (await run('add', `Could not add ${username}`, () => api().addMember(c.id, username), `${username} was added to #${c.name}.`)) setAdding('');
    await load();
  };

  const tabs: Array<[DetailsTab, string]> = [
    ['about', 'About'],
    ['members', members ? `Members · ${members.length}` : 'Members'],
    ...(store.client?.verification ? ([['encryption', 'Encryption']] as Array<[DetailsTab, string]>) : []),
  ];
  const memberNames = new Set(members?.map((m) => m.username));
  const candidates = people.filter((p) => !memberNames.has(p));

  return (
    <Dialog title={`Channel details · #${c.name}`} onClose={onClose}>
      <TabList label="Channel details" idPrefix="details-" tabs={tabs} selected={tab} onSelect={setTab} />
      <div class="dialog-body tab-panel channel-details" role="tabpanel" id={`details-panel-${tab}`} aria-labelledby={`details-tab-${tab}`}>
        {tab === 'about' ? (
          <>
            {c.archived ? (
              <p class="form-info" role="note">
                #{c.name} is archived: everyone can read it, no one can post.
              </p>
            ) : null}
            {mod ? (
              <form onSubmit={saveTopic}>
                <div class="field">
                  <label for="cd-topic">Topic</label>
                  <textarea id="cd-topic" class="input textarea" maxLength={500} autoFocus={focusTopic} value={topic} onInput={(e) => setTopic(e.currentTarget.value)} />
                  <span class="hint">Shown under the channel name. Markdown works; leave empty to clear.</span>
                </div>
                <Feedback said={said} at="topic" />
                <div class="row end">
                  <button class="btn btn-small btn-primary" disabled={busy === 'topic' || topic.trim() === (c.topic ?? '')}>
                    Save topic
                  </button>
                </div>
              </form>
            ) : (
              <>
                <h3 class="section-title">Topic</h3>
                <div class="details-topic">{c.topic ? <Markdown text={c.topic} me={store.username()} /> : <span class="muted">No topic yet.</span>}</div>
              </>
            )}
            <dl class="facts">
              <div>
                <dt>Visibility</dt>
                <dd>{VISIBILITY[c.visibility]}</dd>
              </div>
              <div>
                <dt>Members</dt>
                <dd>{members ? `${members.length}${c.capacity ? ` of at most ${c.capacity}` : ''}` : '…'}</dd>
              </div>
              {mod ? null : (
                <div>
                  <dt>Capacity</dt>
                  <dd>{c.capacity ? `${c.capacity} people` : 'No limit'}</dd>
                </div>
              )}
              <div>
                <dt>Status</dt>
                <dd>{c.archived ? 'Archived (read-only)' : 'Open'}</dd>
              </div>
            </dl>
            {mod ? (
              <form onSubmit={saveCapacity}>
                <div class="field">
                  <label for="cd-capacity">Capacity</label>
                  <div class="row nowrap">
                    <input id="cd-capacity" class="input narrow" type="number" inputMode="numeric" min={1} max={100000} placeholder="No limit" value={capacity} onInput={(e) => setCapacity(e.currentTarget.value)} aria-describedby="cd-capacity-hint" />
                    <button class="btn" disabled={busy === 'capacity' || capacity.trim() === (c.capacity ? String(c.capacity) : '')}>
                      Save capacity
                    </button>
                  </div>
                  <span class="hint" id="cd-capacity-hint">
                    The most people who can be in it; joins past it are refused. Empty: no limit.
                  </span>
                </div>
                <Feedback said={said} at="capacity" />
              </form>
            ) : null}
            {mod ? (
              <>
                <h3 class="section-title">{c.archived ? 'Archived' : 'Archive'}</h3>
                <p class="muted">{c.archived ? 'Unarchive to let members post again.' : 'Archiving makes the channel read-only: its history stays, no one can post. You can undo it.'}</p>
                <Feedback said={said} at="archive" />
                <button type="button" class="btn" disabled={busy === 'archive'} onClick={() => setArchived(!c.archived)}>
                  {c.archived ? 'Unarchive channel' : 'Archive channel'}
                </button>
              </>
            ) : null}
            <h3 class="section-title">Leave</h3>
            <Feedback said={said} at="leave" />
            {confirming?.what === 'leave' ? (
              <Confirm text={`Leave #${c.name}? ${COMING_BACK[c.visibility]}`} action={`Leave #${c.name}`} busy={busy === 'leave'} onConfirm={leave} onCancel={() => setConfirming(undefined)} />
            ) : (
              <button type="button" class="btn btn-danger" onClick={() => setConfirming({ what: 'leave' })}>
                Leave channel
              </button>
            )}
          </>
        ) : tab === 'encryption' ? (
          <EncryptionPanel channel={c} channelKey={ch.key} />
        ) : (
          <>
            {mod ? (
              <form onSubmit={(e) => void add(e)}>
                <div class="field">
                  <label for="cd-add">Add someone from the team</label>
                  <div class="row nowrap">
                    <input id="cd-add" class="input" list="cd-add-people" autoComplete="off" placeholder="username" value={adding} onInput={(e) => setAdding(e.currentTarget.value)} />
                    <button class="btn" disabled={busy === 'add' || !adding.trim()}>
                      Add
                    </button>
                  </div>
                  <datalist id="cd-add-people">
                    {candidates.map((p) => (
                      <option key={p} value={p} />
                    ))}
                  </datalist>
                </div>
                <Feedback said={said} at="add" />
              </form>
            ) : null}
            <Feedback said={said} at="members" />
            {members ? (
              <ul class="list" aria-label={`Members of #${c.name}`}>
                {members.map((m) => {
                  const me = m.userId === myId;
                  const asked = confirming && confirming.what !== 'leave' && confirming.member.userId === m.userId ? confirming.what : undefined;
                  return (
                    <li key={m.userId} class={asked ? 'wrap' : undefined}>
                      <Avatar name={m.username} size="small" />
                      <div class="grow">
                        <div class="title">
                          {m.username} {m.owner ? <span class="pill">owner</span> : null} {me ? <span class="pill accent">you</span> : null}
                        </div>
                      </div>
                      {mod && !me && !asked ? (
                        <>
                          <button type="button" class="btn btn-small" aria-label={`Remove ${m.username}`} onClick={() => setConfirming({ what: 'remove', member: m })}>
                            Remove
                          </button>
                          <button type="button" class="btn btn-small btn-danger" aria-label={`Ban ${m.username}`} onClick={() => setConfirming({ what: 'ban', member: m })}>
                            Ban
                          </button>
                        </>
                      ) : null}
                      {asked ? (
                        <Confirm
                          text={
                            asked === 'ban'
                              ? `Ban ${m.username} from #${c.name}? They are removed and cannot come back until unbanned.`
                              : `Remove ${m.username} from #${c.name}? They can no longer read it.${c.visibility === 'public' ? ' They may join again.' : ''}`
                          }
                          action={asked === 'ban' ? `Ban ${m.username}` : `Remove ${m.username}`}
                          busy={busy === 'members'}
                          onConfirm={() => void decide()}
                          onCancel={() => setConfirming(undefined)}
                        />
                      ) : null}
                    </li>
                  );
                })}
              </ul>
            ) : said?.at === 'members' ? null : (
              <p class="muted">Loading…</p>
            )}
            {mod ? (
              <>
                <h3 class="section-title">Banned</h3>
                <Feedback said={said} at="bans" />
                {bans ? (
                  <ul class="list" aria-label={`Banned from #${c.name}`}>
                    {bans.map((b) => (
                      <li key={b.userId}>
                        <Avatar name={b.username} size="small" />
                        <div class="grow">
                          <div class="title">{b.username}</div>
                          <div class="sub">
                            Banned by {b.bannedBy}, {relativeTime(b.at)}
                          </div>
                        </div>
                        <button type="button" class="btn btn-small" aria-label={`Unban ${b.username}`} disabled={busy === 'bans'} onClick={() => void unban(b)}>
                          Unban
                        </button>
                      </li>
                    ))}
                    {!bans.length ? <li class="muted">No one is banned.</li> : null}
                  </ul>
                ) : null}
              </>
            ) : null}
          </>
        )}
      </div>
    </Dialog>
  );
}
