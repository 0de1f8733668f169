import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Connection, Transport } from '@michat/core';
import { HARD_FRAME_BYTES, MichatError } from '@michat/protocol';

export const WS_PATH = '/ws';

/** What serves WebSocket clients: a node, or a relay. */
export interface WsNode {
  readonly accepting: boolean;
  connect(transport: Transport): Connection;
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

/**
 * Serves the data plane on `/ws` of an HTTP server: each WebSocket becomes a core
 * Connection. Frames over HARD_FRAME_BYTES are cut by ws (close 1009); smaller oversized
 * ones reach the core, which answers TooLarge and keeps the connection.
 */
export function attachWebSockets(server: Server, node: WsNode): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: HARD_FRAME_BYTES, perMessageDeflate: false });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== WS_PATH || !node.accepting) {
      socket.end(`HTTP/1.1 ${node.accepting ? '404 Not Found' : '503 Service Unavailable'}\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws, node));
  });
  return wss;
}

/**
 * Frames sent in one event-loop turn (the acks of one commit batch, a burst of deliveries)
 * leave in one write: the socket is corked on the first send and uncorked after the turn.
 */
function corkingSender(ws: WebSocket): (bytes: Uint8Array) => void {
  const socket = (ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
  let corked = false;
  return (bytes) => {
    if (socket && !corked) {
      corked = true;
      socket.cork();
      setImmediate(() => {
        corked = false;
        socket.uncork();
      });
    }
    ws.send(bytes, { binary: true });
  };
}

function serve(ws: WebSocket, node: WsNode): void {
  const send = corkingSender(ws);
  const conn = node.connect({
    send,
    bufferedAmount: () => ws.bufferedAmount,
    close: (code, reason) => ws.close(code, reason),
  });
  ws.on('message', (data, isBinary) => {
    if (!isBinary) {
      conn.fail(new MichatError('BadFrame', 'frames are binary MessagePack, not text'));
      return;
    }
    conn.receive(toBytes(data));
  });
  ws.on('close', () => conn.onTransportClosed());
  ws.on('error', () => {
    conn.onTransportClosed();
    ws.terminate();
  });
}
