import { describe, expect, it } from 'vitest';
import { KeyedMutex } from './mutex.ts';

describe('KeyedMutex', () => {
  it('runs sections of one key one at a time, in order, and of different keys at once', async () => {
    const mutex = new KeyedMutex<number>();
    const log: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const first = mutex.run(1, async () => {
      log.push('1a start');
      await held;
      log.push('1a end');
    });
    const second = mutex.run(1, async () => void log.push('1b'));
    await mutex.run(2, async () => void log.push('2'));
    expect(log).toEqual(['1a start', '2']);
    release();
    await Promise.all([first, second]);
    expect(log).toEqual(['1a start', '2', '1a end', '1b']);
  });

  it('a failed section does not stop the next one of its key', async () => {
    const mutex = new KeyedMutex<string>();
    await expect(mutex.run('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await mutex.run('k', async () => 42)).toBe(42);
  });
});
