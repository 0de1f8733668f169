import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** core and protocol must run in browsers and edge workers: no Node built-ins, no Node-only packages. */
const ROOTS = ['../../core', '../../protocol'].map((p) => fileURLToPath(new URL(p, import.meta.url)));
const NODE_ONLY = ['ws', 'pino', 'prom-client', '@hono/node-server', 'commander', 'pg', 'ioredis', 'redis'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return entry.endsWith('.ts') && !entry.endsWith('.test.ts') ? [path] : [];
  });
}

function importsOf(source: string): string[] {
  const specifiers = [...source.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)];
  return specifiers.map((m) => m[1] ?? m[2] ?? m[3] ?? '');
}

describe.each(ROOTS)('%s is runtime-neutral', (root) => {
  const files = sourceFiles(join(root, 'src'));

  it('has source files to check', () => expect(files.length).toBeGreaterThan(5));

  it('imports nothing from node: or Node-only packages', () => {
    const offenders = files.flatMap((file) =>
      importsOf(readFileSync(file, 'utf8'))
        .filter((s) => s.startsWith('node:') || NODE_ONLY.includes(s) || ['fs', 'path', 'os', 'crypto', 'net', 'http', 'stream', 'buffer', 'child_process'].includes(s))
        .map((s) => `${file}: ${s}`),
    );
    expect(offenders).toEqual([]);
  });

  it('uses no Node globals (Buffer, process)', () => {
    const offenders = files.filter((file) => /\b(Buffer\.|process\.)/.test(readFileSync(file, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')));
    expect(offenders).toEqual([]);
  });

  it('declares no Node-only dependency', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    expect(Object.keys(pkg.dependencies ?? {}).filter((d) => NODE_ONLY.includes(d))).toEqual([]);
  });
});
