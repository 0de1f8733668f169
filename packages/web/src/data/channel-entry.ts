import type { Channel, ChannelView, MessageView, PresenceMember } from '@michat/client';

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

  constructor(channel: Channel, teamName: string, view: ChannelView, onChange: () => void) {
    this.channel = channel;
    this.teamName = teamName;
    this.view = view;
    this.stop.push(
      view.on('change', onChange),
      view.on('error', (e) => {
        this.error = e.message;
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
