import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP relay in front of the server that a test can cut (every connection dropped, new
 * ones refused) and restore on the same port: a network outage for the clients behind it
 * only, while the server and other clients carry on.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /**
   * Both ends of the connections that carry a WebSocket. Only those stall: Node's fetch keeps
   * HTTP connections alive and may send the next WebSocket handshake over one of them.
   */
  private readonly webSockets = new Set<Socket>();
  private readonly target: { host: string; port: number };
  port = 0;
  /** Bytes relayed so far in each direction (toward the target, and back). */
  readonly bytes = { up: 0, down: 0 };

  private constructor(target: { host: string; port: number }) {
    this.target = target;
  }

  static async start(targetUrl: string): Promise<TcpProxy> {
    const u = new URL(targetUrl);
    const proxy = new TcpProxy({ host: u.hostname, port: Number(u.port) });
    await proxy.listen();
    return proxy;
  }

  /** HTTP base URL through the proxy. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Drops every connection and refuses new ones. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * Stops relaying on the open connections without closing them: a half-open link (the
   * peer vanished without a FIN), which no socket event reports. New connections still work.
   */
  stall(): void {
    for (const s of this.webSockets) {
      s.unpipe();
      s.pause();
    }
  }

  /** Accepts connections again, on the same port. */
  async restore(): Promise<void> {
    if (!this.server) await this.listen();
  }

  close(): Promise<void> {
    return this.cut();
  }

  private async listen(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => {
          this.sockets.delete(s);
          this.webSockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.once('data', (chunk: Buffer) => {
        if (/^upgrade:\s*websocket/im.test(chunk.toString('latin1'))) for (const s of [client, upstream]) this.webSockets.add(s);
      });
      client.on('data', (chunk: Buffer) => (this.bytes.up += chunk.length));
      upstream.on('data', (chunk: Buffer) => (this.bytes.down += chunk.length));
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }
}
