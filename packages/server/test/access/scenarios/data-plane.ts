import { textObject, channelPrefix } from '@michat/testkit';
import type { Session } from '@michat/protocol';
import type { Scenario, Scenarios } from '../scenario.ts';
import type { World } from '../world.ts';

/** A channel every team role is in (the org admin and the outsider are not). */
const joined = async (w: World) => void (await w.openChannel('public', 'team'));
/** A channel only its owner is in. */
const notJoined = async (w: World) => void (await w.openChannel('public'));
/** A channel every team role is in, then archived by its owner. */
const archived = async (w: World) => {
  await w.openChannel('public', 'team');
  await w.call(w.as('channel owner'), 'PATCH', `/api/channels/${w.ch.id}`, { archived: true });
};

const publish = async (w: World, actor: Session) => {
  const c = await w.connect(actor);
  await w.request(c, { t: 'pub', id: 1, obj: textObject(w.ch, actor, 1, 'hello').bytes });
};
const subscribe = async (w: World, actor: Session) => {
  const c = await w.connect(actor);
  await w.request(c, { t: 'sub', id: 1, prefix: channelPrefix(w.ch), bits: 72 });
};
const history = async (w: World, actor: Session) => {
  const c = await w.connect(actor);
  await w.request(c, { t: 'hist', id: 1, channel: channelPrefix(w.ch), limit: 10 });
};

const op = (setup: (w: World) => Promise<void>, run: (w: World, actor: Session) => Promise<void>, extra: Partial<Scenario> = {}): Scenario => ({ setup, run, ...extra });

/** The data plane (WebSocket frames): membership of the channel decides, never the team role alone. */
export const scenarios: Scenarios = {
  'data.publish': op(joined, publish, { changes: true }),
  'data.subscribe': op(joined, subscribe),
  'data.sync': op(joined, async (w, actor) => {
    const c = await w.connect(actor);
    await w.request(c, { t: 'sync', id: 1, prefix: channelPrefix(w.ch), bits: 72, since: [] });
  }),
  'data.history': op(joined, history),
  'data.typing': op(joined, async (w, actor) => {
    const observer = await w.connect(w.cast.target);
    await w.request(observer, { t: 'sub', id: 1, prefix: channelPrefix(w.ch), bits: 72 });
    const c = await w.connect(actor);
    await w.unanswered(c, { t: 'typing', channel: channelPrefix(w.ch) });
    await observer.until(() => observer.received.some((fr) => fr.t === 'typing' && fr.user === actor.username));
  }),
  'data.heartbeat': op(joined, async (w, actor) => {
    const c = await w.connect(actor);
    const got = await w.unanswered(c, { t: 'hb', status: 'active', watch: [{ prefix: channelPrefix(w.ch), bits: 72, digest: '0000000000000000' }] });
    if (!got.some((fr) => fr.t === 'vec')) throw new Error('an allowed heartbeat with a stale digest is answered with vec');
  }),
  'data.publish.not-joined': op(notJoined, publish, { changes: true }),
  'data.subscribe.not-joined': op(notJoined, subscribe),
  'data.history.not-joined': op(notJoined, history),
  'data.publish.archived': op(archived, publish, { changes: true }),
  'data.history.archived': op(archived, history),
};
