import { describe, expect, it } from 'vitest';
import { MichatError, type ServerFrame } from '@michat/protocol';
import type { Clock } from '@michat/core';
import { UpstreamAnswers } from './upstream-answers.ts';

/** A clock whose timers run when the test advances it. */
function manualClock() {
  let now = 0;
  const timers = new Set<{ at: number; fn: () => void }>();
  const clock: Clock = {
    now: () => now,
    setTimer(ms, fn) {
      const t = { at: now + ms, fn };
      timers.add(t);
      return () => timers.delete(t);
    },
  };
  const advance = (ms: number) => {
    now += ms;
    for (const t of [...timers]) if (t.at <= now && timers.delete(t)) t.fn();
  };
  return { clock, advance };
}

const NAME = new Uint8Array(16);
const ack = (id: number, dup: boolean): ServerFrame & { t: 'ack' } => ({ t: 'ack', id, name: NAME, dup });
const err = (id: number, kind: MichatError['kind'], msg: string, retryAfterMs?: number): ServerFrame & { t: 'err' } => ({
  t: 'err',
  id,
  kind,
  msg,
  ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
});
const refusal = async (p: Promise<unknown>): Promise<MichatError> => {
  try {
    await p;
  } catch (e) {
    return e as MichatError;
  }
  throw new Error('expected a refusal');
};

describe('UpstreamAnswers: a publisher hears the parent answer, or Unavailable', () => {
  it("the parent's ack (with its dup) and its refusal (same kind, message and delay) are the publisher's", async () => {
    const { clock } = manualClock();
    const answers = new UpstreamAnswers(clock);
    const first = answers.wait(1, () => true);
    const again = answers.wait(2, () => true);
    const taken = answers.wait(3, () => true);
    const limited = answers.wait(4, () => true);
    expect(answers.answer(ack(1, false))).toBe(true);
    expect(answers.answer(ack(2, true))).toBe(true);
    expect(answers.answer(err(3, 'Conflict', 'this name already holds different bytes'))).toBe(true);
    expect(answers.answer(err(4, 'RateLimited', 'too many frames', 250))).toBe(true);
    expect(await first).toEqual({ dup: false });
    expect(await again).toEqual({ dup: true });
    const conflict = await refusal(taken);
    expect([conflict.kind, conflict.message]).toEqual(['Conflict', 'this name already holds different bytes']);
    const rate = await refusal(limited);
    expect([rate.kind, rate.retryAfterMs]).toEqual(['RateLimited', 250]);
    expect(answers.size).toBe(0);
  });

  it('answers nothing it does not wait for (ordinary publishes go their own way)', () => {
    const answers = new UpstreamAnswers(manualClock().clock);
    expect(answers.answer(ack(7, false))).toBe(false);
  });

  it("the relay's own session refused upstream is Unavailable to the publisher, not Unauthorized", async () => {
    const answers = new UpstreamAnswers(manualClock().clock);
    const p = answers.wait(1, () => true);
    answers.answer(err(1, 'Unauthorized', 'token expired'));
    const e = await refusal(p);
    expect(e.kind).toBe('Unavailable');
    expect(e.retryable).toBe(true);
  });

  it('no socket, a link that goes down, or a parent silent for 10 s: Unavailable with a retry delay; a late answer is ignored', async () => {
    const { clock, advance } = manualClock();
    const answers = new UpstreamAnswers(clock, 10_000);
    const unsent = await refusal(answers.wait(1, () => false));
    expect(unsent.kind).toBe('Unavailable');
    expect(unsent.retryAfterMs).toBeGreaterThan(0);

    const cut = answers.wait(2, () => true);
    answers.abandon();
    expect((await refusal(cut)).kind).toBe('Unavailable');

    const silent = answers.wait(3, () => true);
    advance(9_999);
    expect(answers.size).toBe(1);
    advance(1);
    const e = await refusal(silent);
    expect([e.kind, e.retryable]).toEqual(['Unavailable', true]);
    expect(answers.answer(ack(3, false))).toBe(false);
    expect(answers.size).toBe(0);
  });
});
