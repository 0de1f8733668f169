/**
 * The two systems of the cluster benchmark, as its load generator sees them: n nodes each
 * (child processes), and how a subscriber and a publisher connect to one of them.
 */
import { randomBytes } from 'node:crypto';
import { io as ioClient } from 'socket.io-client';
import type WebSocket from 'ws';
import { decodeServerFrame } from '@michat/protocol';
import type { PostgresServer } from '@michat/testkit';
import { startChild, type ServerChild } from './child.ts';
import { hasTail, messageText } from './message-tail.ts';
import { MichatApi, benchChannel, channelName, join, pubFrame } from './michat-bootstrap.ts';
import { michatConnect, michatSubscribe, openSocket } from './sockets.ts';

export type System = 'michat' | 'socket.io';

const MICHAT_SERVER = new URL('../michat-server.ts', import.meta.url);
const SOCKETIO_SERVER = new URL('../peers/socketio-cluster-server.ts', import.meta.url);

export interface PublisherEvents {
  /** michat only: message `k` was committed and acknowledged. */
  ack(k: number): void;
  failed(k: number, why: string): void;
}

export interface Cluster {
  system: System;
  nodes: ServerChild[];
  /** Bytes a delivered frame has after the payload's closing `"}`. */
  trailing: number;
  /** Opens subscriber `i` on node i mod n; `onData` sees every frame first. Resolves once subscribed. */
  subscribe(i: number, onData: (data: Buffer) => boolean): Promise<void>;
  /** Opens publisher `p` on node p mod n; resolves to its send(message number). */
  publisher(p: number, events: PublisherEvents): Promise<(k: number) => void>;
  /** Decodes one delivery fully; throws unless it is message `k`. */
  check(data: Buffer, k: number): void;
  close(): Promise<void>;
}

const freshPrefix = (system: string, n: number) => `bench-${system}-${n}-${randomBytes(4).toString('hex')}/`;

/** `n` michat nodes on a fresh database and bus prefix; the org, users and channel made over HTTP. */
export async function michatCluster(n: number, postgres: PostgresServer, redisUrl: string, load: { publishers: number; subscriberUsers: number }): Promise<Cluster> {
  const args = ['--database', await postgres.createDatabase(), '--redis', redisUrl, '--prefix', freshPrefix('michat', n)];
  const nodes: ServerChild[] = [];
  const sockets: WebSocket[] = [];
  const close = async () => {
    for (const ws of sockets) ws.terminate();
    await Promise.all(nodes.map((s) => s.stop()));
  };
  try {
    // The first node creates the schema and the org; the others join the same database.
    nodes.push(await startChild(MICHAT_SERVER, args));
    for (let i = 1; i < n; i++) nodes.push(await startChild(MICHAT_SERVER, [...args, '--no-init']));
    const api = new MichatApi(nodes[0]!.url);
    const readers = Array.from({ length: load.subscriberUsers }, (_, i) => `reader${i + 1}`);
    const bench = await benchChannel(api, ['writer', ...readers]);
    const channel = channelName(bench.channel);
    const readerSessions = await Promise.all(readers.map((u) => api.login(u, `bench-${u}`)));
    // One login per publisher: each is its own device (its own name stream).
    const writerSessions = await Promise.all(Array.from({ length: load.publishers }, (_, p) => api.login('writer', `bench-writer-${p + 1}`)));
    for (const s of [writerSessions[0]!, ...readerSessions]) await join(api, bench.channel, s);
    return {
      system: 'michat',
      nodes,
      trailing: 0,
      async subscribe(i, onData) {
        const ws = await openSocket(nodes[i % n]!.wsUrl);
        sockets.push(ws);
        ws.on('error', () => undefined);
        await michatSubscribe(ws, readerSessions[i % readerSessions.length]!.accessToken, channel, onData, `michat subscriber ${i}`);
      },
      async publisher(p, events) {
        const session = writerSessions[p]!;
        const ws = await michatConnect(nodes[p % n]!.wsUrl, session.accessToken);
        sockets.push(ws);
        ws.on('message', (data: Buffer) => {
          const d = decodeServerFrame(data);
          if (!d.ok) return;
          if (d.frame.t === 'ack') events.ack(d.frame.id);
          else if (d.frame.t === 'err' && d.frame.id !== undefined) events.failed(d.frame.id, `${d.frame.kind} ${d.frame.msg}`);
        });
        let seq = 0;
        return (k) => ws.send(pubFrame(channel, session.deviceId, ++seq, k, messageText(k)));
      },
      check(data, k) {
        const d = decodeServerFrame(data);
        if (!d.ok || d.frame.t !== 'obj') throw new Error(`michat delivered something that is not an obj frame: ${d.ok ? d.frame.t : d.error.message}`);
        if (!hasTail(Buffer.from(d.frame.obj).toString('utf8'), k)) throw new Error('michat delivery does not match its message');
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * `n` Socket.IO nodes on one Redis (fresh adapter prefix). Publishers use socket.io-client;
 * subscribers speak the Engine.IO/Socket.IO protocol on a plain WebSocket (open, connect,
 * `join` with an ack, answer pings), so that receiving costs the load generator what it
 * costs on the michat side: a look at the frame's last bytes.
 */
export async function socketioCluster(n: number, redisUrl: string): Promise<Cluster> {
  const prefix = freshPrefix('sio', n);
  const nodes: ServerChild[] = [];
  const sockets: WebSocket[] = [];
  const clients: Array<ReturnType<typeof ioClient>> = [];
  const close = async () => {
    for (const ws of sockets) ws.terminate();
    for (const c of clients) c.disconnect();
    await Promise.all(nodes.map((s) => s.stop()));
  };
  try {
    for (let i = 0; i < n; i++) nodes.push(await startChild(SOCKETIO_SERVER, ['--redis', redisUrl, '--prefix', prefix]));
    return {
      system: 'socket.io',
      nodes,
      trailing: 1, // 42["msg",{"type":"text","text":"…"}]
      async subscribe(i, onData) {
        const ws = await openSocket(nodes[i % n]!.wsUrl);
        sockets.push(ws);
        ws.on('error', () => undefined);
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error(`socket.io subscriber ${i}: not in the room within 30 s`)), 30_000);
          ws.on('message', (data: Buffer) => {
            if (onData(data)) return;
            const s = data.toString('utf8');
            if (s === '2') ws.send('3'); // Engine.IO ping → pong
            else if (s.startsWith('40')) ws.send('420["join"]'); // connected → emit join, ack id 0
            else if (s.startsWith('430')) {
              clearTimeout(t);
              resolve();
            } else if (s.startsWith('44')) reject(new Error(`socket.io subscriber ${i}: ${s}`));
          });
          // Connect to namespace / at once: Engine.IO's open packet may have come with the
          // upgrade response, before this handler was there.
          ws.send('40');
        });
      },
      async publisher(p) {
        const socket = ioClient(nodes[p % n]!.url, { transports: ['websocket'], forceNew: true, reconnection: false });
        clients.push(socket);
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', resolve);
          socket.once('connect_error', reject);
        });
        return (k) => void socket.emit('pub', { type: 'text', text: messageText(k) });
      },
      check(data, k) {
        const s = data.toString('utf8');
        const event = s.startsWith('42') ? (JSON.parse(s.slice(2)) as unknown) : undefined;
        if (!Array.isArray(event) || event[0] !== 'msg' || !hasTail(String((event[1] as { text?: unknown }).text), k)) throw new Error(`socket.io delivered something else: ${s.slice(0, 80)}`);
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

