import { MichatError, type Channel, type ChannelView, type MessageView, type PresenceMember } from '@michat/client';

/** The server refused the channel for good: the user left it, was removed or banned, or it is gone. */
export function lostAccess(e: Error): boolean {
  return e instanceof MichatError && (e.kind === 'Forbidden' || e.kind === 'NotFound');
}

/**
 * One followed channel as the app holds it: the SDK's ChannelView (messages, threads,
 * unread counts, sends) plus what the view does not keep: the directory entry, presence,
 * typing, and whether older history may be paged.
 */
export class ChannelEntry {
  channel: Channel;
  teamName: string;
  readonly view: ChannelView;
  presence: PresenceMember[] = [];
  /** Username → until (ms). */
  readonly typing = new Map<string, number>();
  loaded = false;
  synced = false;
  /** Older messages may exist (in the store or on the server). */
  more = true;
  error: string | undefined;
  private readonly stop: Array<() => void> = [];

  constructor(channel: Channel, teamName: string, view: ChannelView, onChange: () => void, onError: (e: Error) => void = () => undefined) {
    this.channel = channel;
    this.teamName = teamName;
    this.view = view;
    this.stop.push(
      view.on('change', onChange),
      view.on('error', (e) => {
        this.error = lostAccess(e) ? 'You no longer have access to this channel.' : e.message;
        onError(e);
        onChange();
      }),
    );
    view.loaded.then(
      () => {
        this.loaded = true;
        onChange();
      },
      () => undefined,
    );
    view.synced.then(
      () => {
        this.synced = true;
        onChange();
      },
      () => undefined,
    );
  }

  get key(): string {
    return this.channel.key;
  }

  messages(): MessageView[] {
    return this.view.messages();
  }

  unread(): number {
    return this.view.unread();
  }

  mentions(): number {
    return this.view.mentions();
  }

  /** This device's messages not yet stored by the server. */
  pending(): number {
    return this.view.messages().filter((m) => m.state === 'pending').length;
  }

  typingNow(now: number, me: string): string[] {
    const out: string[] = [];
    for (const [user, until] of this.typing) {
      if (until < now) this.typing.delete(user);
      else if (user !== me) out.push(user);
    }
    return out;
  }

  async close(): Promise<void> {
    for (const s of this.stop) s();
    await this.view.close();
  }
}
