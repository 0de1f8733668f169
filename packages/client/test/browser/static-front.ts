import { readFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { extname } from 'node:path';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.map': 'application/json' };

/**
 * The test's own web server: a few static files, and everything else (the HTTP API and the
 * WebSocket upgrade) passed through to the michat server, so the page and the API share one
 * origin as they would when the michat server serves the page.
 */
export class StaticFront {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  url = '';

  private constructor(files: Record<string, string>, target: URL) {
    this.server = createServer((req, res) => {
      const file = files[req.url?.split('?')[0] ?? ''];
      if (file) {
        readFile(file).then(
          (body) => res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body),
          () => res.writeHead(404).end(),
        );
        return;
      }
      const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    this.server.on('upgrade', (req, client: Socket, head: Buffer) => {
      const upstream = connect(Number(target.port), target.hostname, () => {
        const lines = [`${req.method} ${req.url} HTTP/1.1`];
        for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
        upstream.write(lines.join('\r\n') + '\r\n\r\n');
        upstream.write(head);
        client.pipe(upstream).pipe(client);
      });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => {
          this.sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
    });
  }

  /** Serves `files` (URL path → file) on a free loopback port, proxying the rest to `targetUrl`. */
  static async start(files: Record<string, string>, targetUrl: string): Promise<StaticFront> {
    const front = new StaticFront(files, new URL(targetUrl));
    await new Promise<void>((resolve) => front.server.listen(0, '127.0.0.1', resolve));
    front.url = `http://127.0.0.1:${(front.server.address() as AddressInfo).port}`;
    return front;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
