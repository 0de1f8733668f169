/**
 * The peer for the cluster benchmark: one Socket.IO node with the Redis adapter, so that a
 * broadcast on any node reaches the room's members on every node. Run one per node by
 * cluster-bench.ts (fork); listens on 127.0.0.1, an ephemeral port; stops when told or orphaned.
 *
 *     --redis URL      the Redis every node of the cluster shares
 *     --prefix P       the adapter's channel prefix (a fresh one per cluster)
 *
 * A client that emits `join` (with an ack) is put in the room `bench`; a `pub` event's
 * argument is broadcast to the room as `msg` on every node (`io.to(room).emit`). Nothing
 * else: no authentication, no storage, no acknowledgement of a `pub`. WebSocket transport
 * only, no compression.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { serveParent } from '../lib/child-ipc.ts';

const { values } = parseArgs({ options: { redis: { type: 'string' }, prefix: { type: 'string', default: 'socket.io' } } });
if (!values.redis) throw new Error('--redis URL is required');

const ROOM = 'bench';
const pubClient = new Redis(values.redis, { lazyConnect: true });
const subClient = pubClient.duplicate();
await Promise.all([pubClient.connect(), subClient.connect()]);

const http = createServer();
const io = new Server(http, {
  transports: ['websocket'],
  perMessageDeflate: false,
  serveClient: false,
  adapter: createAdapter(pubClient, subClient, { key: values.prefix }),
});
// The adapter subscribes as it is made; a command answered after that on the same
// connection means Redis has the subscription, so no broadcast from another node is missed.
await subClient.ping();

io.on('connection', (socket) => {
  socket.on('join', (ack: unknown) => {
    void socket.join(ROOM);
    if (typeof ack === 'function') ack();
  });
  socket.on('pub', (msg: unknown) => {
    io.to(ROOM).emit('msg', msg);
  });
});

await new Promise<void>((resolve, reject) => {
  http.once('error', reject);
  http.listen(0, '127.0.0.1', () => resolve());
});
const { port } = http.address() as AddressInfo;
serveParent(
  { url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`, info: { peer: 'Socket.IO + Redis adapter', prefix: values.prefix } },
  async () => {
    io.disconnectSockets(true);
    await new Promise<void>((resolve) => io.close(() => resolve()));
    pubClient.disconnect();
    subClient.disconnect();
  },
);
