import type { Channel } from '@michat/client';
import type { ChatStore } from '../data/chat-store.ts';
import { Avatar } from './avatar.tsx';
import { CompassIcon, GearIcon, HashIcon, KeyIcon, LockIcon, PlusIcon, SearchIcon, ArchiveIcon } from './icons.tsx';
import type { DetailsTab } from './channel-details.tsx';
import { useStore } from './store-context.ts';

export type DialogKind =
  | 'switcher'
  | 'browse'
  | 'new-dm'
  | 'new-team'
  | 'settings'
  | 'requests'
  | { kind: 'new-channel'; teamId: number }
  | { kind: 'details'; key: string; tab: DetailsTab; focusTopic?: boolean }
  | { kind: 'encryption'; key: string }
  | { kind: 'verify'; userId: number; username: string };

export function ChannelGlyph({ channel }: { channel: Channel }) {
  if (channel.archived) return <ArchiveIcon />;
  if (channel.visibility === 'private') return <LockIcon />;
  if (channel.visibility === 'restricted') return <KeyIcon />;
  return <HashIcon />;
}

/** Arrow keys move between the sidebar's items (the list is one tab stop's worth of keyboard work). */
export function arrowNavigation(e: KeyboardEvent, selector: string): void {
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp' && e.key !== 'Home' && e.key !== 'End') return;
  const root = e.currentTarget as HTMLElement;
  const items = [...root.querySelectorAll<HTMLElement>(selector)];
  const at = items.indexOf(document.activeElement as HTMLElement);
  if (at < 0 && e.key !== 'Home' && e.key !== 'End') return;
  e.preventDefault();
  const next = e.key === 'Home' ? 0 : e.key === 'End' ? items.length - 1 : Math.max(0, Math.min(items.length - 1, at + (e.key === 'ArrowDown' ? 1 : -1)));
  items[next]?.focus();
}

function presenceOf(store: ChatStore, channel: Channel, user: string): 'active' | 'away' | 'offline' {
  const members = store.channels.get(channel.key)?.presence ?? [];
  const mine = members.filter((m) => m.user === user);
  if (!mine.length) return 'offline';
  return mine.some((m) => m.status === 'active') ? 'active' : 'away';
}

function NavItem({ channel, onSelect }: { channel: Channel; onSelect: (key: string) => void }) {
  const store = useStore();
  const ch = store.channels.get(channel.key);
  const active = store.activeKey === channel.key;
  const unread = !active && ch ? ch.unread() : 0;
  const mentions = !active && ch ? ch.mentions() : 0;
  const title = store.channelTitle(channel);
  const isDm = channel.visibility === 'direct';
  const other = isDm ? (channel.members ?? []).find((m) => m !== store.me?.username) ?? title : '';
  const status = `${unread ? `, ${unread} unread` : ''}${mentions ? `, ${mentions} mention${mentions > 1 ? 's' : ''}` : ''}`;
  return (
    <li>
      <button type="button" class={`nav-item${unread ? ' unread' : ''}`} aria-current={active ? 'page' : undefined} data-nav-item data-channel={title} onClick={() => onSelect(channel.key)}>
        <span class="glyph">{isDm ? <Avatar name={other} size="small" presence={presenceOf(store, channel, other)} /> : <ChannelGlyph channel={channel} />}</span>
        <span class="label">{title}</span>
        {status ? <span class="sr-only">{status}</span> : null}
        {mentions ? <span class="badge" aria-hidden="true">@{mentions > 1 ? ` ${mentions}` : ''}</span> : unread ? <span class="badge soft" aria-hidden="true">{unread > 99 ? '99+' : unread}</span> : null}
      </button>
    </li>
  );
}

export function Sidebar({ onSelect, openDialog }: { onSelect: (key: string) => void; openDialog: (d: DialogKind) => void }) {
  const store = useStore();
  const me = store.me;
  const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
  const status = store.connection === 'online' ? 'Online' : store.connection === 'offline' ? 'Offline' : 'Connecting…';
  return (
    <nav class="sidebar" aria-label="Channels and direct messages">
      <div class="sidebar-head">
        <span class="org-name" title={me?.org.name}>
          {me?.org.name ?? 'michat'}
        </span>
        <button type="button" class="icon-btn" aria-label="Browse channels" title="Browse channels" onClick={() => openDialog('browse')}>
          <CompassIcon />
        </button>
      </div>
      <button type="button" class="jump" onClick={() => openDialog('switcher')} aria-keyshortcuts={isMac ? 'Meta+K' : 'Control+K'}>
        <SearchIcon />
        <span>Jump to…</span>
        <kbd>{isMac ? '⌘' : 'Ctrl'} K</kbd>
      </button>
      <div class="nav" onKeyDown={(e) => arrowNavigation(e, '[data-nav-item]')}>
        {store.teams.map((team) => {
          const joined = team.channels.filter((c) => c.member);
          const requested = team.channels.filter((c) => !c.member && c.request === 'pending');
          const canCreate = me?.orgAdmin || team.role === 'owner' || team.role === 'admin';
          return (
            <section class="nav-section" key={team.id} aria-labelledby={`team-${team.id}`}>
              <div class="nav-section-head">
                <span id={`team-${team.id}`}>{team.name}</span>
                {canCreate ? (
                  <button type="button" class="icon-btn" aria-label={`New channel in ${team.name}`} title="New channel" onClick={() => openDialog({ kind: 'new-channel', teamId: team.id })}>
                    <PlusIcon />
                  </button>
                ) : null}
              </div>
              <ul>
                {joined.map((c) => (
                  <NavItem key={c.key} channel={c} onSelect={onSelect} />
                ))}
                {requested.map((c) => (
                  <li key={c.key}>
                    <button type="button" class="nav-item muted-link" data-nav-item onClick={() => openDialog('browse')}>
                      <span class="glyph">
                        <KeyIcon />
                      </span>
                      <span class="label">{c.name}</span>
                      <span class="pill">requested</span>
                    </button>
                  </li>
                ))}
                <li>
                  <button type="button" class="nav-item muted-link" data-nav-item onClick={() => openDialog('browse')}>
                    <span class="glyph">
                      <PlusIcon />
                    </span>
                    <span class="label">Browse channels</span>
                  </button>
                </li>
              </ul>
            </section>
          );
        })}
        {me?.orgAdmin ? (
          <button type="button" class="nav-item muted-link new-team" data-nav-item onClick={() => openDialog('new-team')}>
            <span class="glyph">
              <PlusIcon />
            </span>
            <span class="label">New team</span>
          </button>
        ) : null}
        <section class="nav-section" aria-labelledby="dm-head">
          <div class="nav-section-head">
            <span id="dm-head">Direct messages</span>
            <button type="button" class="icon-btn" aria-label="New direct message" title="New direct message" onClick={() => openDialog('new-dm')}>
              <PlusIcon />
            </button>
          </div>
          <ul>
            {store.dms.map((c) => (
              <NavItem key={c.key} channel={c} onSelect={onSelect} />
            ))}
            {!store.dms.length ? <li class="muted" style={{ padding: '2px 8px', fontSize: 'var(--text-xs)' }}>No conversations yet</li> : null}
          </ul>
        </section>
      </div>
      <div class="sidebar-foot">
        <Avatar name={me?.username ?? '?'} presence={store.connection === 'online' ? 'active' : 'offline'} />
        <div class="me">
          <strong>{me?.username ?? store.client?.session.username}</strong>
          <small>{status}</small>
        </div>
        <button type="button" class="icon-btn" aria-label="Settings" title="Settings" onClick={() => openDialog('settings')}>
          <GearIcon />
        </button>
      </div>
    </nav>
  );
}
