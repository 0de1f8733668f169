import { useEffect, useRef, useState } from 'preact/hooks';
import { ChannelView, ThreadPane } from './channel-view.tsx';
import { BrowseChannels, NewChannel } from './browse-channels.tsx';
import { Requests } from './channel-admin.tsx';
import { ChannelDetails } from './channel-details.tsx';
import { KeyChangeBanner } from './encryption-status.tsx';
import { EncryptionDialog, VerifyDialog } from './encryption.tsx';
import { NewDirect } from './new-direct.tsx';
import { Switcher } from './switcher.tsx';
import { CloseIcon, MenuIcon } from './icons.tsx';
import { Settings } from './settings.tsx';
import { Sidebar, type DialogKind } from './sidebar.tsx';
import { NewTeam } from './new-team.tsx';
import { useStore } from './store-context.ts';

/** Shown only when a reconnect takes longer than a blink, so quick reconnects stay invisible. */
const CONNECTING_BANNER_DELAY_MS = 1_500;

function ConnectionBanner() {
  const store = useStore();
  const [late, setLate] = useState(false);
  useEffect(() => {
    setLate(false);
    if (store.connection !== 'connecting') return;
    const t = setTimeout(() => setLate(true), CONNECTING_BANNER_DELAY_MS);
    return () => clearTimeout(t);
  }, [store.connection]);
  const queued = [...store.channels.values()].reduce((n, ch) => n + ch.pending(), 0);
  const queuedText = queued ? ` ${queued} message${queued > 1 ? 's' : ''} will be sent when you're back.` : '';
  if (store.connection === 'offline')
    return (
      <div class="banner offline" role="status" data-testid="offline-banner">
        <span class="banner-dot" aria-hidden="true" />
        You're offline. Messages you write are kept and sent when the connection returns.{queuedText}
      </div>
    );
  if (store.connection === 'connecting' && late)
    return (
      <div class="banner connecting" role="status" data-testid="offline-banner">
        <span class="banner-dot" aria-hidden="true" />
        Reconnecting…{queuedText}
      </div>
    );
  return null;
}

function NoticeBanner() {
  const store = useStore();
  const n = store.notice;
  if (!n) return null;
  return (
    <div class={`banner notice-${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'}>
      {n.text}
      <button type="button" class="icon-btn" aria-label="Dismiss" onClick={() => store.setNotice(undefined)}>
        <CloseIcon />
      </button>
    </div>
  );
}

export function Shell() {
  const store = useStore();
  const [dialog, setDialog] = useState<DialogKind>();
  const [navOpen, setNavOpen] = useState(false);
  /** Where each channel was read up to when it was opened: the "New" line. */
  const dividers = useRef(new Map<string, string | undefined>());
  const ch = store.active;

  const select = (key: string) => {
    const target = store.channels.get(key);
    if (target) dividers.current.set(key, target.view.timeline.readUpTo());
    store.select(key);
    setNavOpen(false);
  };
  if (ch && ch.loaded && !dividers.current.has(ch.key)) dividers.current.set(ch.key, ch.view.timeline.readUpTo());

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        setDialog((d) => (d === 'switcher' ? undefined : 'switcher'));
        return;
      }
      if (e.altKey && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
        e.preventDefault();
        const keys = [...store.teams.flatMap((t) => t.channels.filter((c) => c.member).map((c) => c.key)), ...store.dms.map((c) => c.key)].filter((k) => store.channels.has(k));
        const at = keys.indexOf(store.activeKey ?? '');
        const next = keys[(at + (e.key === 'ArrowDown' ? 1 : keys.length - 1)) % keys.length];
        if (next) select(next);
        return;
      }
      if (e.key === 'Escape' && !e.defaultPrevented) {
        if (store.threadRoot) store.openThread(undefined);
        else if (navOpen) setNavOpen(false);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [navOpen]);

  const close = () => setDialog(undefined);
  const unreadElsewhere = [...store.channels.values()].filter((c) => c.key !== store.activeKey && c.unread() > 0).length;
  const thread = ch && store.threadRoot && ch.view.message(store.threadRoot) ? store.threadRoot : undefined;
  // The details of a channel the user has just left (or lost) close with it.
  const details = typeof dialog === 'object' && (dialog.kind === 'details' || dialog.kind === 'encryption') ? store.channels.get(dialog.key) : undefined;

  return (
    <div class="app-frame" style={{ display: 'flex', flexDirection: 'column', height: '100%' }}>
      <ConnectionBanner />
      <NoticeBanner />
      <KeyChangeBanner onVerify={(userId, username) => setDialog({ kind: 'verify', userId, username })} />
      <div class={`shell${thread ? ' with-thread' : ''}${navOpen ? ' nav-open' : ''}`} style={{ flex: 1, minHeight: 0 }}>
        <Sidebar onSelect={select} openDialog={setDialog} />
        <div class="scrim" onClick={() => setNavOpen(false)} aria-hidden="true" />
        {ch ? (
          <ChannelView ch={ch} openDialog={setDialog} openNav={() => setNavOpen(true)} unreadElsewhere={unreadElsewhere} dividerAt={dividers.current.get(ch.key)} />
        ) : (
          <main class="main">
            <header class="pane-head">
              <button type="button" class="icon-btn menu-btn" aria-label="Open channels" onClick={() => setNavOpen(true)}>
                <MenuIcon />
              </button>
            </header>
            <div class="empty-main">
              <div>
                <h1>{store.me ? 'No channels yet' : 'Loading…'}</h1>
                {store.me ? (
                  <>
                    <p>{store.teams.length || !store.me.orgAdmin ? 'Join a channel to start talking with your team.' : 'Create your first team: it comes with a #general channel.'}</p>
                    {store.teams.length || !store.me.orgAdmin ? (
                      <button type="button" class="btn btn-primary" onClick={() => setDialog('browse')}>
                        Browse channels
                      </button>
                    ) : (
                      <button type="button" class="btn btn-primary" onClick={() => setDialog('new-team')}>
                        Create a team
                      </button>
                    )}
                  </>
                ) : null}
              </div>
            </div>
          </main>
        )}
        {ch && thread ? <ThreadPane ch={ch} rootId={thread} /> : null}
      </div>
      {dialog === 'switcher' ? <Switcher onClose={close} onSelect={select} /> : null}
      {dialog === 'browse' ? <BrowseChannels onClose={close} onSelect={select} /> : null}
      {dialog === 'new-dm' ? <NewDirect onClose={close} /> : null}
      {dialog === 'new-team' ? <NewTeam onClose={close} /> : null}
      {dialog === 'settings' ? <Settings onClose={close} /> : null}
      {dialog === 'requests' && ch ? <Requests channel={ch.channel} onClose={close} /> : null}
      {typeof dialog === 'object' && dialog.kind === 'new-channel' ? <NewChannel teamId={dialog.teamId} onClose={close} /> : null}
      {typeof dialog === 'object' && dialog.kind === 'details' && details ? <ChannelDetails key={dialog.key} ch={details} tab={dialog.tab} {...(dialog.focusTopic ? { focusTopic: true } : {})} onClose={close} /> : null}
      {typeof dialog === 'object' && dialog.kind === 'encryption' && details ? <EncryptionDialog key={dialog.key} ch={details} onClose={close} /> : null}
      {typeof dialog === 'object' && dialog.kind === 'verify' ? <VerifyDialog key={dialog.userId} userId={dialog.userId} username={dialog.username} onClose={close} /> : null}
    </div>
  );
}
