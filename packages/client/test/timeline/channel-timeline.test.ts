import { describe, expect, it } from 'vitest';
import { ChannelTimeline, type TimelineIdentity } from '../../src/index.ts';
import { CHANNEL, Writers, hexOf, object, positionOf } from './build-objects.ts';

// Devices 1 and 2 belong to user 10 (the current user, on device 1); device 3 to user 20.
const OWNERS = new Map([
  [1, 10],
  [2, 10],
  [3, 20],
]);
const identity: TimelineIdentity = { userOf: (d) => OWNERS.get(d), usernameOf: (d) => (OWNERS.get(d) === 10 ? 'me' : 'bob'), me: { userId: 10, deviceId: 1 } };

describe('ChannelTimeline', () => {
  it('lists messages in display order (created, device, seq) whatever the arrival order', () => {
    const w = new Writers();
    const a = object(3, 1, 100, { type: 'text', text: 'a' });
    const b = object(1, 1, 100, { type: 'text', text: 'b' });
    const c = w.write(2, { type: 'text', text: 'c' }, { created: 50 });
    const t = new ChannelTimeline(CHANNEL, identity);
    t.addAll([a, b, c, a]);
    expect(t.messages().map((m) => m.text)).toEqual(['c', 'b', 'a']);
    expect(t.messages()[0]).toMatchObject({ userId: 10, username: 'me', mine: true, state: 'sent', kind: 'text' });
  });

  it('shows the latest edit by the sender (any of their devices) and ignores edits by others', () => {
    const w = new Writers();
    const msg = w.write(1, { type: 'text', text: 'helo' });
    const edit1 = w.write(2, { type: 'text', text: 'hello', replaces: hexOf(msg) });
    const edit2 = w.write(1, { type: 'text', text: 'hello!', replaces: hexOf(msg), mentions: [20] });
    const forged = w.write(3, { type: 'text', text: 'pwned', replaces: hexOf(msg) });
    const t = new ChannelTimeline(CHANNEL, identity);
    t.addAll([edit2, forged, msg, edit1]);
    expect(t.messages()).toHaveLength(1);
    expect(t.messages()[0]).toMatchObject({ text: 'hello!', edited: true, editedAt: edit2.created, mentions: [20] });
  });

  it('an edit from another device counts once its owner is known', () => {
    const w = new Writers();
    const msg = w.write(1, { type: 'text', text: 'v1' });
    const edit = w.write(2, { type: 'text', text: 'v2', replaces: hexOf(msg) });
    const t = new ChannelTimeline(CHANNEL, { userOf: (d) => (d === 1 ? 10 : undefined), me: { userId: 10, deviceId: 1 } });
    t.addAll([msg, edit]);
    expect(t.messages()[0]!.text).toBe('v1');
    t.setIdentity(identity);
    expect(t.messages()[0]!.text).toBe('v2');
  });

  it('deletes only the sender’s own messages', () => {
    const w = new Writers();
    const mine = w.write(1, { type: 'text', text: 'oops' });
    const theirs = w.write(3, { type: 'text', text: 'keep me' });
    const t = new ChannelTimeline(CHANNEL, identity);
    t.addAll([w.write(2, { type: 'delete', target: hexOf(mine) }), w.write(1, { type: 'delete', target: hexOf(theirs) }), mine, theirs]);
    expect(t.messages().map((m) => [m.text, m.deleted])).toEqual([
      ['', true],
      ['keep me', false],
    ]);
  });

  it('counts reactions per user and emoji, the latest toggle winning', () => {
    const w = new Writers();
    const msg = w.write(3, { type: 'text', text: 'lunch?' });
    const target = hexOf(msg);
    const t = new ChannelTimeline(CHANNEL, identity);
    const on1 = w.write(1, { type: 'reaction', target, emoji: '👍', on: true });
    const on2 = w.write(2, { type: 'reaction', target, emoji: '👍', on: true }); // same user: counts once
    const bob = w.write(3, { type: 'reaction', target, emoji: '🎉', on: true });
    const bobThumb = w.write(3, { type: 'reaction', target, emoji: '👍', on: true });
    const off = w.write(1, { type: 'reaction', target, emoji: '👍', on: false });
    t.addAll([off, bob, msg, on2, bobThumb, on1]);
    expect(t.messages()[0]!.reactions).toEqual([
      { emoji: '🎉', count: 1, users: [20], mine: false },
      { emoji: '👍', count: 1, users: [20], mine: false },
    ]);
  });

  it('counts thread replies (deleted ones not) and lists the thread', () => {
    const w = new Writers();
    const root = w.write(3, { type: 'text', text: 'root' });
    const r1 = w.write(1, { type: 'text', text: 'r1' }, { threadRoot: hexOf(root) });
    const r2 = w.write(3, { type: 'text', text: 'r2' }, { threadRoot: hexOf(root) });
    const del = w.write(3, { type: 'delete', target: hexOf(r2) }, { threadRoot: hexOf(root) });
    const t = new ChannelTimeline(CHANNEL, identity);
    t.addAll([r2, r1, root]);
    expect(t.messages()).toHaveLength(1);
    expect(t.messages()[0]).toMatchObject({ replies: 2, lastReplyAt: r2.created });
    t.add(del);
    expect(t.messages()[0]).toMatchObject({ replies: 1, lastReplyAt: r1.created });
    expect(t.thread(hexOf(root)).map((m) => [m.text, m.deleted])).toEqual([
      ['r1', false],
      ['', true],
    ]);
  });

  it('counts unread messages and mentions after the furthest read mark', () => {
    const w = new Writers();
    const m1 = w.write(3, { type: 'text', text: 'one' });
    const m2 = w.write(3, { type: 'text', text: 'two', mentions: [10] });
    const own = w.write(1, { type: 'text', text: 'mine' });
    const m3 = w.write(3, { type: 'text', text: 'three', mentions: [10] });
    const t = new ChannelTimeline(CHANNEL, identity);
    t.addAll([m1, m2, own, m3]);
    expect([t.unread(), t.mentions()]).toEqual([3, 2]);
    t.add(w.write(2, { type: 'read', upTo: positionOf(m1) })); // read on my other device
    expect([t.unread(), t.mentions()]).toEqual([2, 2]);
    t.add(w.write(3, { type: 'read', upTo: positionOf(m3) })); // bob's read mark is not mine
    expect(t.unread()).toBe(2);
    t.markReadLocally(positionOf(m2));
    expect([t.unread(), t.mentions()]).toEqual([1, 1]);
    expect(t.readUpTo()).toBe(positionOf(m2));
    t.add(w.write(3, { type: 'text', text: 'mentions nobody', replaces: hexOf(m3) }));
    expect([t.unread(), t.mentions()]).toEqual([1, 0]);
  });

  it('shows a queued message at once and keeps its id through renumbering and the ack', () => {
    const t = new ChannelTimeline(CHANNEL, identity);
    const queued = object(1, 1, 500, { type: 'text', text: 'hi' });
    t.setLocal('L1', queued, 'pending');
    expect(t.messages()).toMatchObject([{ id: 'L1', state: 'pending', text: 'hi' }]);
    // The server held other bytes under that name: that message shows, ours under its new name.
    const taken = object(1, 1, 400, { type: 'text', text: 'older message' });
    t.add(taken);
    const renumbered = object(1, 2, 500, { type: 'text', text: 'hi' });
    t.setLocal('L1', renumbered, 'pending');
    expect(t.messages().map((m) => [m.id, m.text, m.state])).toEqual([
      [hexOf(taken), 'older message', 'sent'],
      ['L1', 'hi', 'pending'],
    ]);
    t.add(renumbered);
    expect(t.messages().map((m) => [m.id, m.state])).toEqual([
      [hexOf(taken), 'sent'],
      ['L1', 'sent'],
    ]);
    expect(t.message('L1')?.name).toBe(hexOf(renumbered));
  });

  it('shows a refused message as failed with its reason, and forgets a discarded one', () => {
    const t = new ChannelTimeline(CHANNEL, identity);
    t.setLocal('L2', object(1, 1, 1, { type: 'text', text: 'no' }), 'failed', { kind: 'Forbidden', message: 'not a member' });
    expect(t.messages()[0]).toMatchObject({ state: 'failed', error: { kind: 'Forbidden' } });
    t.removeLocal('L2');
    expect(t.messages()).toEqual([]);
  });

  it('ignores objects of other channels and targets outside the channel', () => {
    const t = new ChannelTimeline('00000100000100000b', identity);
    expect(t.add(object(1, 1, 1, { type: 'text', text: 'elsewhere' }))).toBe(false);
    const here = new ChannelTimeline(CHANNEL, identity);
    here.add(object(1, 2, 2, { type: 'delete', target: '01000010000100000b00000100000001' }));
    expect(here.size).toBe(0);
  });

  it('keeps the view object of an unchanged message between renders', () => {
    const w = new Writers();
    const a = w.write(3, { type: 'text', text: 'a' });
    const b = w.write(3, { type: 'text', text: 'b' });
    const t = new ChannelTimeline(CHANNEL, identity);
    t.addAll([a, b]);
    const [va, vb] = t.messages();
    t.add(w.write(1, { type: 'reaction', target: hexOf(b), emoji: '👍', on: true }));
    const [va2, vb2] = t.messages();
    expect(va2).toBe(va);
    expect(vb2).not.toBe(vb);
  });
});
