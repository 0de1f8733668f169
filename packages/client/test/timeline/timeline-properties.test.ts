import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MichatObject } from '@michat/protocol';
import { ChannelTimeline, decodePayload, type OutgoingPayload, type TimelineIdentity } from '../../src/index.ts';
import { CHANNEL, Writers, hexOf, positionOf } from './build-objects.ts';

// Devices 1, 2 → user 10 (me, on device 1); 3 → user 20; 4 → owner unknown.
const OWNERS = new Map([
  [1, 10],
  [2, 10],
  [3, 20],
]);
const identity: TimelineIdentity = { userOf: (d) => OWNERS.get(d), me: { userId: 10, deviceId: 1 } };
const EMOJIS = ['👍', '🎉', '👀'];

/** A step of a random conversation; targets pick among the messages written so far. */
type Step =
  | { kind: 'message'; device: number; text: string; mentions: number[]; reply: number | undefined }
  | { kind: 'edit' | 'delete'; device: number; target: number; text: string }
  | { kind: 'reaction'; device: number; target: number; emoji: string; on: boolean }
  | { kind: 'read'; device: number; target: number };

const device = fc.integer({ min: 1, max: 4 });
const pick = fc.nat({ max: 1_000 });
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('message' as const), device, text: fc.string({ maxLength: 6 }), mentions: fc.subarray([10, 20]), reply: fc.option(pick, { nil: undefined }) }),
  fc.record({ kind: fc.constantFrom('edit' as const, 'delete' as const), device, target: pick, text: fc.string({ maxLength: 6 }) }),
  fc.record({ kind: fc.constant('reaction' as const), device, target: pick, emoji: fc.constantFrom(...EMOJIS), on: fc.boolean() }),
  fc.record({ kind: fc.constant('read' as const), device, target: pick }),
);

/** Writes the conversation. Created times are coarse, so equal times (ties) are common. */
function conversation(steps: Step[], times: number[]): MichatObject[] {
  const w = new Writers();
  const objects: MichatObject[] = [];
  const messages: MichatObject[] = [];
  steps.forEach((s, i) => {
    const created = 1_000 + (times[i % times.length] ?? 0) * 1_000;
    const target = 'target' in s ? messages[s.target % Math.max(1, messages.length)] : undefined;
    let payload: OutgoingPayload | undefined;
    let threadRoot: string | undefined;
    if (s.kind === 'message') {
      payload = { type: 'text', text: s.text, ...(s.mentions.length ? { mentions: s.mentions } : {}) };
      const root = s.reply === undefined ? undefined : messages[s.reply % Math.max(1, messages.length)];
      if (root && !root.threadRoot) threadRoot = hexOf(root);
    } else if (!target) return;
    else if (s.kind === 'edit') payload = { type: 'text', text: s.text, replaces: hexOf(target) };
    else if (s.kind === 'delete') payload = { type: 'delete', target: hexOf(target) };
    else if (s.kind === 'reaction') payload = { type: 'reaction', target: hexOf(target), emoji: s.emoji, on: s.on };
    else payload = { type: 'read', upTo: positionOf(target) };
    const obj = w.write(s.device, payload, { created, ...(threadRoot ? { threadRoot } : {}) });
    objects.push(obj);
    if (s.kind === 'message') messages.push(obj);
  });
  return objects;
}

function snapshot(t: ChannelTimeline) {
  const messages = t.messages();
  return { messages, threads: messages.map((m) => t.thread(m.name)), unread: t.unread(), mentions: t.mentions(), readUpTo: t.readUpTo() };
}

/** The rules of docs/sdk.md, written the slow and obvious way. */
function reference(objects: MichatObject[]) {
  const byName = new Map(objects.map((o) => [hexOf(o), o]));
  const all = [...byName.values()].sort((a, b) => (positionOf(a) < positionOf(b) ? -1 : 1));
  const user = (o: MichatObject) => OWNERS.get(o.name[11]!) ?? -o.name[11]!;
  const same = (a: MichatObject, b: MichatObject) => a.name[11] === b.name[11] || (OWNERS.has(a.name[11]!) && user(a) === user(b));
  const isMessage = (o: MichatObject) => {
    const p = decodePayload(o);
    return (p.type === 'text' && p.replaces === undefined) || p.type === 'unknown';
  };
  const refs = (o: MichatObject, type: string) =>
    all.filter((x) => {
      const p = decodePayload(x);
      return p.type === type && (p.type === 'text' ? p.replaces : 'target' in p ? p.target : undefined) === hexOf(o);
    });
  const view = (o: MichatObject) => {
    const deleted = refs(o, 'delete').some((d) => same(d, o));
    const edits = refs(o, 'text').filter((e) => same(e, o));
    const latest = decodePayload(edits.at(-1) ?? o) as { text: string; mentions?: number[] };
    const reactions = new Map<string, boolean>();
    for (const r of refs(o, 'reaction')) {
      const p = decodePayload(r) as { emoji: string; on: boolean };
      reactions.set(`${user(r)} ${p.emoji}`, p.on);
    }
    const counts = new Map<string, number>();
    for (const [key, on] of reactions) if (on) counts.set(key.split(' ')[1]!, (counts.get(key.split(' ')[1]!) ?? 0) + 1);
    return { text: deleted ? '' : latest.text, deleted, edited: edits.length > 0, counts: deleted ? new Map() : counts, mentions: deleted ? [] : (latest.mentions ?? []) };
  };
  const reads = all.filter((o) => decodePayload(o).type === 'read' && user(o) === 10).map((o) => (decodePayload(o) as { upTo: string }).upTo);
  const mark = reads.sort().at(-1);
  const unread = all.filter((o) => isMessage(o) && user(o) !== 10 && (mark === undefined || positionOf(o) > mark) && !view(o).deleted);
  return {
    top: all.filter((o) => isMessage(o) && !o.threadRoot).map((o) => ({ name: hexOf(o), ...view(o) })),
    unread: unread.length,
    mentions: unread.filter((o) => view(o).mentions.includes(10)).length,
  };
}

describe('ChannelTimeline properties', () => {
  const objectsArb = fc.tuple(fc.array(step, { maxLength: 40 }), fc.array(fc.nat({ max: 5 }), { minLength: 1, maxLength: 10 })).map(([s, t]) => conversation(s, t));

  it('the view depends on the set of objects only: any order, any duplicates', () => {
    fc.assert(
      fc.property(
        objectsArb.chain((objs) => fc.tuple(fc.constant(objs), fc.shuffledSubarray(objs, { minLength: objs.length, maxLength: objs.length }), fc.array(fc.nat(), { maxLength: 10 }))),
        ([objects, shuffled, dupIdx]) => {
          const a = new ChannelTimeline(CHANNEL, identity);
          a.addAll(objects);
          const b = new ChannelTimeline(CHANNEL, identity);
          const withDups = [...shuffled];
          for (const i of dupIdx) if (objects.length) withDups.splice(i % (withDups.length + 1), 0, objects[i % objects.length]!);
          for (const o of withDups) {
            b.add(o);
            b.messages(); // build views midway, so stale caches would show
          }
          expect(snapshot(b)).toEqual(snapshot(a));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('agrees with the rules written out naively', () => {
    fc.assert(
      fc.property(objectsArb, (objects) => {
        const t = new ChannelTimeline(CHANNEL, identity);
        t.addAll(objects);
        const ref = reference(objects);
        const views = t.messages();
        expect(views.map((v) => v.name)).toEqual(ref.top.map((r) => r.name));
        views.forEach((v, i) => {
          const r = ref.top[i]!;
          expect([v.text, v.deleted, v.edited, v.mentions]).toEqual([r.text, r.deleted, r.edited, r.mentions]);
          expect(new Map(v.reactions.map((x) => [x.emoji, x.count]))).toEqual(r.counts);
          expect(v.replies).toBe(t.thread(v.name).filter((x) => !x.deleted).length);
        });
        expect([t.unread(), t.mentions()]).toEqual([ref.unread, ref.mentions]);
      }),
      { numRuns: 300 },
    );
  });

  it('queued copies replaced by their stored objects leave the same view as the stored objects alone', () => {
    fc.assert(
      fc.property(objectsArb, fc.array(fc.boolean()), (objects, queuedFirst) => {
        const stored = new ChannelTimeline(CHANNEL, identity);
        stored.addAll(objects);
        const viaOutbox = new ChannelTimeline(CHANNEL, identity);
        objects.forEach((o, i) => {
          if (queuedFirst[i]) viaOutbox.setLocal(`L${i}`, o, 'pending');
        });
        objects.forEach((o, i) => viaOutbox.add(o, queuedFirst[i] ? `L${i}` : undefined));
        const strip = (t: ChannelTimeline) => t.messages().map(({ id: _, ...rest }) => rest);
        expect(strip(viaOutbox)).toEqual(strip(stored));
        expect([viaOutbox.unread(), viaOutbox.mentions()]).toEqual([stored.unread(), stored.mentions()]);
      }),
      { numRuns: 200 },
    );
  });
});
