import { useEffect, useState } from 'preact/hooks';
import type { ChannelEntry } from '../data/channel-entry.ts';
import { Avatar } from './avatar.tsx';
import { Composer } from './composer.tsx';
import { EncryptionLock } from './encryption-status.tsx';
import { ArchiveIcon, CloseIcon, InboxIcon, InfoIcon, MegaphoneIcon, MenuIcon } from './icons.tsx';
import { Markdown } from './markdown.tsx';
import { MessageItem } from './message-item.tsx';
import { MessageList, presenceMap } from './message-list.tsx';
import { ChannelGlyph, type DialogKind } from './sidebar.tsx';
import { useStore } from './store-context.ts';

export function usePeople(ch: ChannelEntry | undefined): string[] {
  const store = useStore();
  const [people, setPeople] = useState<string[]>([]);
  const teamId = ch && ch.channel.visibility !== 'direct' ? ch.channel.teamId : undefined;
  useEffect(() => {
    let live = true;
    store.people(teamId).then((p) => live && setPeople(p), () => undefined);
    return () => {
      live = false;
    };
  }, [ch?.key]);
  const present = ch?.presence.map((p) => p.user) ?? [];
  return [...new Set([...people, ...present, ...(ch?.channel.members ?? [])])].sort();
}

const REQUESTS_POLL_MS = 15_000;

/** Pending join requests of a restricted channel the user moderates (polled while it is open). */
function usePendingRequests(ch: ChannelEntry, moderator: boolean): number {
  const store = useStore();
  const [count, setCount] = useState(0);
  const watch = moderator && ch.channel.visibility === 'restricted';
  useEffect(() => {
    setCount(0);
    if (!watch) return;
    let live = true;
    const load = () =>
      store.api?.joinRequests(ch.channel.id).then(
        (list) => live && setCount(list.filter((r) => r.state === 'pending').length),
        () => undefined,
      );
    void load();
    const timer = setInterval(() => void load(), REQUESTS_POLL_MS);
    const onFocus = () => void load();
    window.addEventListener('focus', onFocus);
    return () => {
      live = false;
      clearInterval(timer);
      window.removeEventListener('focus', onFocus);
    };
  }, [ch.key, watch, store.signal]);
  return count;
}

export function TypingLine({ ch }: { ch: ChannelEntry }) {
  const store = useStore();
  const who = ch.typingNow(Date.now(), store.username());
  const text = who.length === 0 ? '' : who.length === 1 ? `${who[0]} is typing…` : who.length === 2 ? `${who[0]} and ${who[1]} are typing…` : 'Several people are typing…';
  return (
    <div class="typing" aria-live="polite">
      {text ? (
        <>
          <span class="typing-dots" aria-hidden="true">
            <i />
            <i />
            <i />
          </span>
          {text}
        </>
      ) : null}
    </div>
  );
}

export function ChannelView({ ch, openDialog, openNav, unreadElsewhere, dividerAt }: { ch: ChannelEntry; openDialog: (d: DialogKind) => void; openNav: () => void; unreadElsewhere: number; dividerAt: string | undefined }) {
  const store = useStore();
  const people = usePeople(ch);
  const c = ch.channel;
  const isDm = c.visibility === 'direct';
  const title = store.channelTitle(c);
  const canModerate = store.canModerate(c);
  const requests = usePendingRequests(ch, canModerate);
  const present = [...new Set(ch.presence.filter((p) => p.user !== store.username()).map((p) => p.user))];
  const messages = ch.messages();
  const intro = (
    <div class="channel-intro">
      <div class="intro-mark">{isDm ? <Avatar name={title} /> : <ChannelGlyph channel={c} />}</div>
      <h2>{isDm ? title : `Welcome to #${c.name}`}</h2>
      <p>{isDm ? `This is the beginning of your conversation with ${title}.` : `This is the start of the #${c.name} channel${ch.teamName ? ` in ${ch.teamName}` : ''}.`}</p>
      {c.topic && !isDm ? (
        <div class="motd" role="note" aria-label="Channel topic">
          <MegaphoneIcon />
          <div>
            <Markdown text={c.topic} me={store.username()} />
          </div>
        </div>
      ) : null}
    </div>
  );
  return (
    <main class="main" aria-label={isDm ? `Conversation with ${title}` : `Channel ${title}`}>
      <header class="pane-head">
        <button type="button" class="icon-btn menu-btn" onClick={openNav}>
          <MenuIcon />
          <span class="sr-only">Open channels{unreadElsewhere ? ` (${unreadElsewhere} with unread messages)` : ''}</span>
          {unreadElsewhere ? (
            <span class="badge" aria-hidden="true">
              {unreadElsewhere > 9 ? '9+' : unreadElsewhere}
            </span>
          ) : null}
        </button>
        <div class="pane-title">
          <h1>
            {isDm ? <Avatar name={title} size="small" /> : <ChannelGlyph channel={c} />}
            <span data-testid="channel-title">{title}</span>
          </h1>
          {!isDm && (c.topic || canModerate) ? (
            <button
              type="button"
              class="topic"
              data-testid="channel-topic"
              onClick={() => openDialog({ kind: 'details', key: ch.key, tab: 'about', focusTopic: canModerate })}
              aria-label={c.topic ? `Topic: ${c.topic}. ${canModerate ? 'Edit topic' : 'Channel details'}` : 'Add a topic'}
            >
              {c.topic || 'Add a topic'}
            </button>
          ) : null}
        </div>
        <div class="head-actions">
          {present.length ? (
            <div class="present" role="group" aria-label={`${present.length} here now: ${present.join(', ')}`} title={present.join(', ')}>
              <span class="avatars" aria-hidden="true">
                {present.slice(0, 4).map((u) => (
                  <Avatar key={u} name={u} size="small" />
                ))}
              </span>
              <span aria-hidden="true">{present.length} here</span>
            </div>
          ) : null}
          {c.visibility === 'restricted' && canModerate ? (
            <button type="button" class={`btn btn-small${requests ? ' btn-primary' : ''}`} onClick={() => openDialog('requests')}>
              <InboxIcon />
              Join requests{requests ? <span class="count"> · {requests}</span> : null}
            </button>
          ) : null}
          {store.client?.verification ? <EncryptionLock ch={ch} onOpen={() => openDialog(isDm ? { kind: 'encryption', key: ch.key } : { kind: 'details', key: ch.key, tab: 'encryption' })} /> : null}
          {!isDm ? (
            <button type="button" class="icon-btn" aria-label="Channel details" title="Channel details" aria-haspopup="dialog" onClick={() => openDialog({ kind: 'details', key: ch.key, tab: 'about' })}>
              <InfoIcon />
            </button>
          ) : null}
        </div>
      </header>
      {ch.error ? (
        <div class="banner notice-error" role="alert">
          {ch.error}
        </div>
      ) : null}
      <MessageList ch={ch} messages={messages} header={intro} label={`Messages in ${isDm ? title : `#${title}`}`} dividerAt={dividerAt} />
      <TypingLine ch={ch} />
      {c.archived ? <ArchivedNote canModerate={canModerate} /> : null}
      <Composer channelKey={ch.key} placeholder={c.archived ? `#${title} is archived` : isDm ? `Message ${title}` : `Message #${title}`} label={isDm ? `Message ${title}` : `Message #${title}`} people={people} disabled={c.archived === true} />
    </main>
  );
}

/** Shown above the (disabled) composer of an archived channel. */
function ArchivedNote({ canModerate }: { canModerate: boolean }) {
  return (
    <div class="readonly-note" role="note" data-testid="archived-note">
      <ArchiveIcon />
      <span>
        This channel is archived: you can read it, but no one can post.{canModerate ? ' Unarchive it in Channel details.' : ''}
      </span>
    </div>
  );
}

export function ThreadPane({ ch, rootId }: { ch: ChannelEntry; rootId: string }) {
  const store = useStore();
  const people = usePeople(ch);
  const root = ch.view.message(rootId);
  const replies = ch.view.thread(rootId);
  const title = store.channelTitle(ch.channel);
  const header = root ? (
    <div class="thread-root">
      <MessageItem channelKey={ch.key} m={root} first presence={presenceMap(ch).get(root.username ?? '') ?? 'offline'} inThread editing={false} onEdit={() => undefined} />
      <div class="reply-count">{replies.length ? `${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}` : 'No replies yet'}</div>
    </div>
  ) : null;
  return (
    <aside class="thread" aria-label="Thread">
      <header class="pane-head">
        <div class="pane-title">
          <h2>Thread</h2>
          <span class="topic">{ch.channel.visibility === 'direct' ? title : `#${title}`}</span>
        </div>
        <button type="button" class="icon-btn" aria-label="Close thread" onClick={() => store.openThread(undefined)}>
          <CloseIcon />
        </button>
      </header>
      <MessageList ch={ch} messages={replies} inThread header={header} label="Replies" />
      <Composer channelKey={ch.key} threadRoot={rootId} placeholder={ch.channel.archived ? 'This channel is archived' : 'Reply…'} label="Reply in thread" people={people} disabled={ch.channel.archived === true} />
    </aside>
  );
}
