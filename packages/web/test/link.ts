import { readFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = fileURLToPath(new URL('../dist', import.meta.url));
const RESERVED = /^\/(api|ws|healthz|readyz|metrics|\.well-known)(\/|$)/;
/** The same policy packages/server/src/static-app.ts sends, so the tests catch a page that breaks it. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.map': 'application/json' };

/**
 * The network between one browser and the server: it serves the app (from the server when the
 * server mounts it, else from dist/) and relays the API and the WebSocket. `cut()` drops every
 * connection and refuses new ones, like a cable pulled; `restore()` plugs it back on the same
 * port (so the page's origin, and its storage, stay the same).
 */
export class Link {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly upstream: URL;
  private readonly serveDist: boolean;
  port = 0;

  constructor(upstream: URL, serveDist: boolean) {
    this.upstream = upstream;
    this.serveDist = serveDist;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s) => this.track(s));
    server.on('upgrade', (req, socket, head) => this.upgrade(req, socket as Socket, head));
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(this.port, '127.0.0.1', () => ok());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((ok) => server.close(() => ok()));
  }

  restore(): Promise<void> {
    return this.start();
  }

  private track(s: Socket): void {
    if (this.sockets.has(s)) return;
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (this.serveDist && !RESERVED.test(path) && (req.method === 'GET' || req.method === 'HEAD')) {
      const full = resolve(DIST, `.${path}`);
      const inside = full.startsWith(DIST + sep);
      const file = inside && extname(path) ? await readFile(full).catch(() => undefined) : undefined;
      const body = file ?? (extname(path) ? undefined : await readFile(join(DIST, 'index.html')));
      if (!body) {
        res.writeHead(404).end();
        return;
      }
      const html = !file || extname(path) === '.html';
      res.writeHead(200, { 'content-type': TYPES[file ? extname(path) : '.html'] ?? 'application/octet-stream', 'cache-control': 'no-cache', ...(html ? { 'content-security-policy': CSP } : {}) }).end(body);
      return;
    }
    const up = httpRequest({ host: this.upstream.hostname, port: this.upstream.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('socket', (s) => this.track(s));
    up.on('error', () => res.headersSent ? res.destroy() : res.writeHead(502).end());
    req.pipe(up);
  }

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    this.track(socket);
    const up = connect(Number(this.upstream.port), this.upstream.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      up.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length) up.write(head);
      socket.pipe(up).pipe(socket);
    });
    this.track(up);
    const end = () => {
      socket.destroy();
      up.destroy();
    };
    up.on('error', end);
    socket.on('error', end);
    up.on('close', end);
    socket.on('close', end);
  }
}
