/**
 * The peer for the fan-out benchmark: a bare `ws` broadcast server. Every message one
 * socket sends is sent, unchanged, to every other connected socket. Nothing else: no
 * authentication, no decoding, no storage. Listens on 127.0.0.1, an ephemeral port.
 * Started by core-bench.ts as a child process (fork); stops when told or orphaned.
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { serveParent } from '../lib/child-ipc.ts';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 1024 * 1024 });
await new Promise<void>((resolve, reject) => {
  wss.once('listening', resolve);
  wss.once('error', reject);
});

wss.on('connection', (ws: WebSocket) => {
  ws.on('message', (data, isBinary) => {
    for (const other of wss.clients) if (other !== ws && other.readyState === other.OPEN) other.send(data, { binary: isBinary });
  });
  ws.on('error', () => ws.terminate());
});

const { port } = wss.address() as AddressInfo;
serveParent({ url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}/`, info: { peer: 'bare ws broadcast' } }, async () => {
  for (const ws of wss.clients) ws.terminate();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
});
