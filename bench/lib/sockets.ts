/** Client sockets of the load generator: plain WebSockets, and michat's hello and sub on them. */
import WebSocket from 'ws';
import { PROTOCOL_VERSION, decodeServerFrame, encodeFrame, type ServerFrame } from '@michat/protocol';

/** Set-up steps (hello, sub) that take longer than this fail the run. */
const SETUP_TIMEOUT_MS = 30_000;

export function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true, handshakeTimeout: 10_000 });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Runs `make(0 … n-1)`, at most `concurrency` at a time. */
export async function inBatches<T>(n: number, concurrency: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      out[i] = await make(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return out;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

const helloFrame = (token: string) => encodeFrame({ t: 'hello', versions: [PROTOCOL_VERSION], token, client: 'michat-bench' });

/** Opens a michat connection and says hello; resolves after the welcome. */
export async function michatConnect(wsUrl: string, token: string): Promise<WebSocket> {
  const ws = await openSocket(wsUrl);
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no welcome within 30 s')), SETUP_TIMEOUT_MS);
    const onMessage = (data: Buffer) => {
      const d = decodeServerFrame(data);
      if (!d.ok || (d.frame.t !== 'welcome' && d.frame.t !== 'err')) return;
      clearTimeout(t);
      ws.off('message', onMessage);
      if (d.frame.t === 'welcome') resolve();
      else reject(new Error(`hello: ${JSON.stringify(d.frame)}`));
    };
    ws.on('message', onMessage);
    ws.send(helloFrame(token));
  });
  return ws;
}

/**
 * Subscribes `ws` (not yet greeted) to a whole channel: hello with `token`, then `sub` for
 * `prefix` (72 bits); resolves at `subok`. `onData` sees every frame first and returns true
 * for one it consumed (a delivery), so the hot path decodes nothing.
 */
export function michatSubscribe(ws: WebSocket, token: string, prefix: Uint8Array, onData: (data: Buffer) => boolean, label = 'subscriber'): Promise<void> {
  let setup: ((f: ServerFrame) => void) | undefined;
  ws.on('message', (data: Buffer) => {
    if (onData(data) || !setup) return;
    const d = decodeServerFrame(data);
    if (d.ok) setup(d.frame);
  });
  return new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${label}: no subok within 30 s`)), SETUP_TIMEOUT_MS);
    setup = (f) => {
      if (f.t === 'err') reject(new Error(`${label}: ${JSON.stringify(f)}`));
      if (f.t === 'subok' && f.id === 1) {
        clearTimeout(t);
        setup = undefined;
        resolve();
      }
    };
    ws.send(helloFrame(token));
    ws.send(encodeFrame({ t: 'sub', id: 1, prefix, bits: 72 }));
  });
}
