import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startClientFixture, type ClientFixture } from './fixture.ts';

const example = fileURLToPath(new URL('../examples/quickstart.ts', import.meta.url));

describe('docs/sdk.md', () => {
  let f: ClientFixture;
  beforeAll(async () => {
    f = await startClientFixture();
  });
  afterAll(() => f.close());

  it('quotes the quick-start example verbatim', async () => {
    const doc = await readFile(new URL('../../../docs/sdk.md', import.meta.url), 'utf8');
    expect(doc).toContain(await readFile(example, 'utf8'));
  });

  it('its quick-start runs against a server and the process exits by itself', async () => {
    const alice = await f.user('alice');
    await f.channel([alice]);
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(process.execPath, [example, f.server.url, 'alice', PASSWORD], { timeout: 20_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve({ stdout, stderr }),
      );
    });
    expect(stderr).toBe('');
    expect(stdout).toContain('received: hello from alice');
    expect(stdout).toMatch(/history: \S+ hello from alice/);
  });
});
