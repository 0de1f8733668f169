import { useEffect, useRef, useState } from 'preact/hooks';
import type { MessageView } from '@michat/client';
import { callsMe } from '../data/mentions.ts';
import { Avatar, type Presence } from './avatar.tsx';
import { EditIcon, ReplyIcon, SmileIcon, TrashIcon } from './icons.tsx';
import { Markdown } from './markdown.tsx';
import { useStore } from './store-context.ts';
import { formatTime, fullDate, relativeTime } from './time.ts';

export const QUICK_EMOJI = ['👍', '❤️', '😂', '🎉', '👀', '✅', '🙏', '🔥', '😮', '😢', '🚀', '👏'];

export interface MessageItemProps {
  channelKey: string;
  m: MessageView;
  first: boolean;
  presence: Presence;
  inThread: boolean;
  editing: boolean;
  onEdit: (id: string | undefined) => void;
  /** Who replied in its thread (a few names). */
  replyAuthors?: string[];
}

function EditBox({ m, channelKey, onDone }: { m: MessageView; channelKey: string; onDone: () => void }) {
  const store = useStore();
  const [text, setText] = useState(m.text);
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const t = ref.current;
    if (!t) return;
    t.focus();
    t.setSelectionRange(t.value.length, t.value.length);
  }, []);
  const save = () => {
    if (text.trim() && text.trim() !== m.text) store.edit(channelKey, m.name, text);
    onDone();
  };
  return (
    <div class="edit-box">
      <textarea
        ref={ref}
        aria-label="Edit message"
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onDone();
          } else if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            save();
          }
        }}
      />
      <div class="edit-hint">
        Escape to <button type="button" class="link-btn" onClick={onDone}>cancel</button> · Enter to <button type="button" class="link-btn" onClick={save}>save</button>
      </div>
    </div>
  );
}

export function MessageItem({ channelKey, m, first, presence, inThread, editing, onEdit, replyAuthors = [] }: MessageItemProps) {
  const store = useStore();
  const [picking, setPicking] = useState(false);
  const me = store.username();
  const mine = m.mine;
  const local = m.state !== 'sent';
  /** An archived channel takes no new reactions, edits or deletions. */
  const readOnly = store.channels.get(channelKey)?.channel.archived === true;
  const mentioned = callsMe(m);
  const author = m.username ?? (mine ? me : 'Someone');
  const nameOf = (userId: number) => store.usernames.get(userId) ?? 'someone';
  const classes = ['msg', first ? 'first' : '', mentioned ? 'mentioned' : '', local ? 'pending' : ''].filter(Boolean).join(' ');
  return (
    <div class={classes} role="article" aria-label={`${author} at ${formatTime(m.created)}`} data-message-id={m.id} data-status={m.state} tabIndex={-1}>
      <div class="msg-gutter">{first ? <Avatar name={author} presence={presence} /> : <time dateTime={new Date(m.created).toISOString()}>{formatTime(m.created)}</time>}</div>
      <div class="msg-content">
        {first ? (
          <div class="msg-meta">
            <span class="msg-author">{author}</span>
            <time dateTime={new Date(m.created).toISOString()} title={fullDate(m.created)}>
              {formatTime(m.created)}
            </time>
          </div>
        ) : null}
        {editing ? (
          <EditBox m={m} channelKey={channelKey} onDone={() => onEdit(undefined)} />
        ) : m.deleted ? (
          <div class="msg-body deleted">This message was deleted.</div>
        ) : m.undecryptable ? (
          <div class="msg-body undecryptable" data-testid="message-undecryptable" title="End-to-end encrypted">
            {m.undecryptable.state === 'pending' ? '🔒 Decrypting… (waiting for this channel’s keys)' : `🔒 This message can’t be decrypted on this device: ${m.undecryptable.reason}.`}
          </div>
        ) : m.kind === 'unknown' ? (
          <div class="msg-body unsupported">This message can't be shown in this app.</div>
        ) : (
          <div class="msg-body">
            <div class="msg-text" data-testid="message-text">
              <Markdown text={m.text} me={me} />
            </div>
            {m.edited ? <span class="edited"> (edited)</span> : null}
            {m.state === 'pending' ? (
              <span class="msg-status" role="status">
                {store.connection === 'online' ? 'Sending…' : 'Queued — sends when you’re back online'}
              </span>
            ) : null}
            {m.state === 'failed' ? (
              <span class="msg-status failed" role="alert">
                Not sent{m.error ? ` (${m.error.message})` : ''}.{' '}
                <button type="button" class="link-btn" onClick={() => store.retry(m.id)}>
                  Retry
                </button>{' '}
                ·{' '}
                <button type="button" class="link-btn" onClick={() => store.discard(m.id)}>
                  Discard
                </button>
              </span>
            ) : null}
          </div>
        )}
        {m.reactions.length ? (
          <div class="reactions" role="group" aria-label="Reactions">
            {m.reactions.map((r) => (
              <button
                type="button"
                key={r.emoji}
                class="reaction"
                aria-pressed={r.mine}
                aria-label={`${r.emoji} ${r.count}: ${r.users.map(nameOf).join(', ')}${r.mine ? ' (you reacted)' : ''}`}
                title={r.users.map(nameOf).join(', ')}
                disabled={readOnly}
                onClick={() => store.react(channelKey, m.name, r.emoji)}
              >
                <span class="emoji">{r.emoji}</span>
                {r.count}
              </button>
            ))}
          </div>
        ) : null}
        {!inThread && m.replies > 0 ? (
          <button type="button" class="thread-link" onClick={() => store.openThread(m.name)}>
            <span class="avatars" aria-hidden="true">
              {replyAuthors.map((a) => (
                <Avatar key={a} name={a} size="tiny" />
              ))}
            </span>
            {m.replies} {m.replies === 1 ? 'reply' : 'replies'}
            {m.lastReplyAt ? <small>Last reply {relativeTime(m.lastReplyAt)}</small> : null}
          </button>
        ) : null}
      </div>
      {!local && !m.deleted && !editing && !(readOnly && inThread) ? (
        <div class="msg-actions" role="toolbar" aria-label="Message actions">
          {readOnly ? null : (
            <>
              <button type="button" class="icon-btn quick" aria-label="React with 👍" title="👍" onClick={() => store.react(channelKey, m.name, '👍')}>
                👍
              </button>
              <button type="button" class="icon-btn" aria-label="Add reaction" title="Add reaction" aria-expanded={picking} onClick={() => setPicking(!picking)}>
                <SmileIcon />
              </button>
            </>
          )}
          {!inThread ? (
            <button type="button" class="icon-btn" aria-label="Reply in thread" title="Reply in thread" onClick={() => store.openThread(m.name)}>
              <ReplyIcon />
            </button>
          ) : null}
          {mine && !readOnly ? (
            <>
              <button type="button" class="icon-btn" aria-label="Edit message" title="Edit" onClick={() => onEdit(m.id)}>
                <EditIcon />
              </button>
              <button
                type="button"
                class="icon-btn"
                aria-label="Delete message"
                title="Delete"
                onClick={() => {
                  if (confirm('Delete this message? Everyone will see that it was deleted.')) store.remove(channelKey, m.name);
                }}
              >
                <TrashIcon />
              </button>
            </>
          ) : null}
        </div>
      ) : null}
      {picking ? (
        <div
          class="emoji-picker"
          role="menu"
          aria-label="Pick a reaction"
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.stopPropagation();
              setPicking(false);
            }
          }}
        >
          {QUICK_EMOJI.map((emoji, i) => (
            <button
              type="button"
              role="menuitem"
              key={emoji}
              aria-label={`React with ${emoji}`}
              autoFocus={i === 0}
              onClick={() => {
                store.react(channelKey, m.name, emoji);
                setPicking(false);
              }}
            >
              {emoji}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}
