import { useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { Avatar } from './avatar.tsx';
import { SendIcon } from './icons.tsx';
import { useStore } from './store-context.ts';

/** Unsent text per channel and thread, kept while the app runs. */
const drafts = new Map<string, string>();
const MAX_SUGGESTIONS = 8;

function mentionQuery(text: string, caret: number): { start: number; query: string } | undefined {
  const m = /(^|[^\w@])@([a-z0-9._-]{0,64})$/i.exec(text.slice(0, caret));
  if (!m) return undefined;
  return { start: caret - m[2]!.length - 1, query: m[2]!.toLowerCase() };
}

/**
 * Multi-line composer: Enter sends, Shift+Enter starts a new line, @ opens people to mention
 * (arrows, Enter or Tab to pick, Escape to close), ArrowUp in an empty box edits one's last message.
 */
export function Composer(props: { channelKey: string; threadRoot?: string; placeholder: string; people: string[]; label: string; disabled?: boolean }) {
  const store = useStore();
  const draftKey = `${props.channelKey}/${props.threadRoot ?? ''}`;
  const [text, setText] = useState(drafts.get(draftKey) ?? '');
  const [suggest, setSuggest] = useState<{ start: number; items: string[]; index: number }>();
  const ref = useRef<HTMLTextAreaElement>(null);
  const listId = useId();

  useEffect(() => {
    setText(drafts.get(draftKey) ?? '');
    setSuggest(undefined);
    if (!props.disabled && window.matchMedia('(min-width: 761px)').matches) ref.current?.focus();
  }, [draftKey]);

  useLayoutEffect(() => {
    const t = ref.current;
    if (!t) return;
    t.style.height = 'auto';
    t.style.height = `${Math.min(t.scrollHeight, 240)}px`;
  }, [text]);

  const update = (value: string, caret: number) => {
    setText(value);
    drafts.set(draftKey, value);
    if (value.trim()) store.typing(props.channelKey);
    const q = mentionQuery(value, caret);
    if (!q) return setSuggest(undefined);
    const me = store.username();
    const items = ['here', ...props.people.filter((p) => p !== me)].filter((p) => p.startsWith(q.query)).slice(0, MAX_SUGGESTIONS);
    setSuggest(items.length ? { start: q.start, items, index: 0 } : undefined);
  };

  const pick = (name: string) => {
    const t = ref.current;
    if (!t || !suggest) return;
    const caret = t.selectionStart;
    const next = `${text.slice(0, suggest.start)}@${name} ${text.slice(caret)}`;
    const at = suggest.start + name.length + 2;
    // The box and its caret change now, not at the next render: keys typed right after the
    // pick must land after the mention (a later caret move would put them elsewhere).
    t.value = next;
    t.setSelectionRange(at, at);
    t.focus();
    setText(next);
    drafts.set(draftKey, next);
    setSuggest(undefined);
  };

  const send = () => {
    if (!text.trim() || props.disabled) return;
    store.send(props.channelKey, text, props.threadRoot);
    setText('');
    drafts.delete(draftKey);
    setSuggest(undefined);
    ref.current?.focus();
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (suggest) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const n = suggest.items.length;
        setSuggest({ ...suggest, index: (suggest.index + (e.key === 'ArrowDown' ? 1 : n - 1)) % n });
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        pick(suggest.items[suggest.index]!);
        return;
      }
      if (e.key === 'Escape') {
        e.stopPropagation();
        setSuggest(undefined);
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    } else if (e.key === 'ArrowUp' && !text) {
      e.preventDefault();
      window.dispatchEvent(new CustomEvent('michat:edit-last', { detail: { key: props.channelKey, thread: props.threadRoot !== undefined } }));
    }
  };

  return (
    <div class={`composer${props.disabled ? ' disabled' : ''}`}>
      {suggest ? (
        <ul class="suggest" role="listbox" id={listId} aria-label="People to mention">
          {suggest.items.map((name, i) => (
            <li
              key={name}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === suggest.index}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(name);
              }}
            >
              {name === 'here' ? <span class="avatar small" style={{ background: 'var(--warning)' }} aria-hidden="true">@</span> : <Avatar name={name} size="small" />}
              {name === 'here' ? 'here — everyone in this channel' : name}
            </li>
          ))}
        </ul>
      ) : null}
      <div class="composer-box">
        <textarea
          ref={ref}
          rows={1}
          value={text}
          disabled={props.disabled}
          placeholder={props.placeholder}
          aria-label={props.label}
          aria-autocomplete="list"
          aria-controls={suggest ? listId : undefined}
          aria-activedescendant={suggest ? `${listId}-${suggest.index}` : undefined}
          onInput={(e) => update(e.currentTarget.value, e.currentTarget.selectionStart)}
          onKeyDown={onKeyDown}
          // Suggestions close when focus leaves for good (a click on one lands first), not
          // when it comes straight back.
          onBlur={() => setTimeout(() => document.activeElement !== ref.current && setSuggest(undefined), 150)}
        />
        <button type="button" class="send-btn" aria-label="Send message" disabled={props.disabled || !text.trim()} onClick={send}>
          <SendIcon />
        </button>
      </div>
      {props.disabled ? null : (
        <div class="composer-hint" aria-hidden="true">
          <span class="md-help">
            <code>**bold**</code> <code>_italic_</code> <code>`code`</code> <code>[link](url)</code>
          </span>
          <span>
            <kbd>Enter</kbd> to send · <kbd>Shift</kbd>+<kbd>Enter</kbd> new line
          </span>
        </div>
      )}
    </div>
  );
}
