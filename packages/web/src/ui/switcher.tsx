import { useId, useMemo, useState } from 'preact/hooks';
import { Avatar } from './avatar.tsx';
import { Dialog } from './dialog.tsx';
import { ChannelGlyph } from './sidebar.tsx';
import { useStore } from './store-context.ts';

/** Ctrl/Cmd+K: type to filter channels and conversations, arrows to move, Enter to open. */
export function Switcher({ onClose, onSelect }: { onClose: () => void; onSelect: (key: string) => void }) {
  const store = useStore();
  const [query, setQuery] = useState('');
  const [index, setIndex] = useState(0);
  const listId = useId();
  const items = useMemo(() => {
    const all = [...store.channels.values()].map((ch) => ({ key: ch.key, title: store.channelTitle(ch.channel), team: ch.teamName, channel: ch.channel, unread: ch.unread() }));
    const q = query.trim().toLowerCase().replace(/^#/, '');
    const scored = all
      .map((it) => {
        const t = it.title.toLowerCase();
        const score = !q ? 1 : t.startsWith(q) ? 3 : t.includes(q) ? 2 : [...q].every((c) => t.includes(c)) ? 1 : 0;
        return { it, score };
      })
      .filter((x) => x.score > 0)
      .sort((a, b) => b.score - a.score || b.it.unread - a.it.unread || a.it.title.localeCompare(b.it.title));
    return scored.map((x) => x.it).slice(0, 12);
  }, [query, store.channels.size]);
  const choose = (key: string | undefined) => {
    if (!key) return;
    onSelect(key);
    onClose();
  };
  return (
    <Dialog title="Jump to" onClose={onClose} class="switcher" hideTitle>
      <input
        class="input"
        autoFocus
        placeholder="Jump to a channel or conversation…"
        aria-label="Channel or person"
        role="combobox"
        aria-expanded="true"
        aria-controls={listId}
        aria-activedescendant={items[index] ? `${listId}-${index}` : undefined}
        value={query}
        onInput={(e) => {
          setQuery(e.currentTarget.value);
          setIndex(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            const n = Math.max(items.length, 1);
            setIndex((i) => (i + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
          } else if (e.key === 'Enter') {
            e.preventDefault();
            choose(items[index]?.key);
          }
        }}
      />
      <ul id={listId} role="listbox" aria-label="Matches">
        {items.map((it, i) => (
          <li key={it.key} id={`${listId}-${i}`} role="option" aria-selected={i === index} onMouseDown={(e) => e.preventDefault()} onClick={() => choose(it.key)} onMouseMove={() => setIndex(i)}>
            {it.channel.visibility === 'direct' ? <Avatar name={it.title} size="small" /> : <ChannelGlyph channel={it.channel} />}
            <span>{it.title}</span>
            {it.unread ? <span class="badge soft">{it.unread}</span> : null}
            <span class="team">{it.team || 'Direct message'}</span>
          </li>
        ))}
        {!items.length ? <li class="muted">No matches</li> : null}
      </ul>
    </Dialog>
  );
}
