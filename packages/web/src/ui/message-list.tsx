import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { MessageView } from '@michat/client';
import type { ChannelEntry } from '../data/channel-entry.ts';
import type { Presence } from './avatar.tsx';
import { MessageItem } from './message-item.tsx';
import { useStore } from './store-context.ts';
import { dayKey, dayLabel } from './time.ts';

/** Messages rendered at first and kept when back at the bottom; scrolling up adds PAGE at a time. */
const WINDOW = 80;
const PAGE = 60;
const GROUP_GAP_MS = 5 * 60_000;
const NEAR_PX = 120;

export function presenceMap(ch: ChannelEntry): Map<string, Presence> {
  const out = new Map<string, Presence>();
  for (const p of ch.presence) if (out.get(p.user) !== 'active') out.set(p.user, p.status);
  return out;
}

/**
 * A windowed list: only the newest WINDOW messages are in the DOM until the reader scrolls up,
 * which adds older ones a page at a time (keeping the scroll position), then pages the server
 * when the local store runs out. Groups by day and by author (5 minutes), sticks to the bottom
 * while the reader is there, and offers a jump back when they are not.
 */
export function MessageList(props: { ch: ChannelEntry; messages: MessageView[]; inThread?: boolean; header?: ComponentChildren; label: string; dividerAt?: string | undefined }) {
  const store = useStore();
  const { ch, messages } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [count, setCount] = useState(WINDOW);
  const [editing, setEditing] = useState<string>();
  const [loadingOlder, setLoadingOlder] = useState(false);
  const stick = useRef(true);
  const anchor = useRef<{ height: number; top: number } | undefined>(undefined);
  const [unseen, setUnseen] = useState(0);
  const lastCount = useRef(messages.length);

  // A new channel starts at the bottom with the default window.
  useEffect(() => {
    setCount(WINDOW);
    setEditing(undefined);
    stick.current = true;
    setUnseen(0);
  }, [ch.key, props.inThread]);

  const start = Math.max(0, messages.length - count);
  const visible = messages.slice(start);
  const presence = presenceMap(ch);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (anchor.current) {
      // Older messages were added above: keep what the reader looks at in place.
      el.scrollTop = el.scrollHeight - anchor.current.height + anchor.current.top;
      anchor.current = undefined;
    } else if (stick.current) {
      el.scrollTop = el.scrollHeight;
    }
    const grew = messages.length - lastCount.current;
    lastCount.current = messages.length;
    if (grew > 0 && !stick.current) setUnseen((n) => n + grew);
  });

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_PX;
    stick.current = atBottom;
    if (atBottom) {
      if (unseen) setUnseen(0);
      if (count > WINDOW + PAGE) setCount(WINDOW); // back at the bottom: drop what scrolled far away
    }
    if (el.scrollTop < 200) {
      if (start > 0) {
        anchor.current = { height: el.scrollHeight, top: el.scrollTop };
        setCount((c) => c + PAGE);
      } else if (ch.more && !loadingOlder && !props.inThread) {
        setLoadingOlder(true);
        anchor.current = { height: el.scrollHeight, top: el.scrollTop };
        store.loadOlder(ch.key).finally(() => setLoadingOlder(false));
      }
    }
  };

  const jumpToLatest = () => {
    stick.current = true;
    setUnseen(0);
    setCount(WINDOW);
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
  };

  const rows = (() => {
    const out: ComponentChildren[] = [];
    let prev: MessageView | undefined = start > 0 ? messages[start - 1] : undefined;
    let dividerShown = false;
    for (const m of visible) {
      const newDay = !prev || dayKey(prev.created) !== dayKey(m.created);
      if (newDay) {
        out.push(
          <div class="day" role="separator" key={`day-${m.id}`}>
            {dayLabel(m.created)}
          </div>,
        );
      }
      let divider = false;
      if (!dividerShown && props.dividerAt !== undefined && m.position > props.dividerAt && !m.mine && m.state === 'sent') {
        dividerShown = divider = true;
        out.push(
          <div class="new-divider" role="separator" key={`new-${m.id}`}>
            New
          </div>,
        );
      }
      const first = newDay || divider || !prev || prev.device !== m.device && prev.username !== m.username || prev.username === undefined || m.created - prev.created > GROUP_GAP_MS || prev.deleted !== m.deleted;
      const replyAuthors = !props.inThread && m.replies ? [...new Set(ch.view.thread(m.name).map((r) => r.username).filter((u): u is string => !!u))].slice(0, 3) : [];
      out.push(
        <MessageItem key={m.id} channelKey={ch.key} m={m} first={first} presence={presence.get(m.username ?? '') ?? 'offline'} inThread={props.inThread ?? false} editing={editing === m.id} onEdit={setEditing} replyAuthors={replyAuthors} />,
      );
      prev = m;
    }
    return out;
  })();

  // ArrowUp in an empty composer edits one's last message (a list-level shortcut the composer raises).
  useEffect(() => {
    const onEditLast = (e: Event) => {
      const detail = (e as CustomEvent<{ key: string; thread: boolean }>).detail;
      if (detail.key !== ch.key || detail.thread !== (props.inThread ?? false)) return;
      const last = [...messages].reverse().find((m) => m.mine && m.state === 'sent' && !m.deleted && m.kind === 'text');
      if (last) setEditing(last.id);
    };
    window.addEventListener('michat:edit-last', onEditLast);
    return () => window.removeEventListener('michat:edit-last', onEditLast);
  }, [messages, ch.key]);

  return (
    <div class="messages" ref={scroller} onScroll={onScroll} role="log" aria-label={props.label} aria-live="polite" aria-relevant="additions" tabIndex={0}>
      <div class="messages-inner">
        {start === 0 ? props.header : null}
        {loadingOlder ? <div class="loading-older">Loading earlier messages…</div> : null}
        {rows}
        {unseen > 0 ? (
          <button type="button" class="jump-latest" onClick={jumpToLatest}>
            {unseen} new message{unseen > 1 ? 's' : ''} ↓
          </button>
        ) : null}
      </div>
    </div>
  );
}
