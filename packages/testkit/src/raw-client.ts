import { decodeServerFrame, encodeFrame, PROTOCOL_VERSION, type ClientFrame, type ServerFrame } from '@michat/protocol';

/**
 * A bare protocol client for tests: sends frames as they are given and records every
 * frame received, so tests can assert exactly what the server said.
 */
export class RawClient {
  readonly received: ServerFrame[] = [];
  private readonly ws: WebSocket;
  private waiters: Array<{ match: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }> = [];
  closed: Promise<{ code: number; reason: string }>;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.binaryType = 'arraybuffer';
    ws.addEventListener('message', (ev) => {
      const decoded = decodeServerFrame(new Uint8Array(ev.data as ArrayBuffer));
      if (!decoded.ok) throw new Error(`server sent an invalid frame: ${decoded.error.message}`);
      this.received.push(decoded.frame);
      this.waiters = this.waiters.filter((w) => (w.match(decoded.frame) ? (w.resolve(decoded.frame), false) : true));
    });
    this.closed = new Promise((resolve) => ws.addEventListener('close', (ev) => resolve({ code: ev.code, reason: ev.reason })));
  }

  static async open(wsUrl: string): Promise<RawClient> {
    const ws = new WebSocket(wsUrl);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve(), { once: true });
      ws.addEventListener('error', () => reject(new Error('websocket failed to open')), { once: true });
    });
    return new RawClient(ws);
  }

  /** Opens and says hello with `token`; resolves with the welcome. */
  static async connect(wsUrl: string, token: string): Promise<RawClient> {
    const c = await RawClient.open(wsUrl);
    c.send({ t: 'hello', versions: [PROTOCOL_VERSION], token });
    const first = await c.next(() => true);
    if (first.t !== 'welcome') throw new Error(`expected welcome, got ${JSON.stringify(first)}`);
    return c;
  }

  send(frame: ClientFrame): void {
    this.ws.send(encodeFrame(frame));
  }

  sendRaw(bytes: Uint8Array | string): void {
    this.ws.send(bytes);
  }

  /** The next frame to arrive matching `match`, failing after `ms`. */
  next(match: (f: ServerFrame) => boolean, ms = 10_000): Promise<ServerFrame> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no matching frame within ${ms} ms`)), ms);
      this.waiters.push({ match, resolve: (f) => (clearTimeout(t), resolve(f)) });
    });
  }

  /** Resolves once `condition` holds (polled, so it may depend on work done after frames), failing after `ms`. */
  async until(condition: () => boolean, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Sends a request frame with `id` and waits for the first answer carrying that id. */
  async request(frame: ClientFrame & { id: number }, ms?: number): Promise<ServerFrame> {
    const answer = this.next((f) => 'id' in f && f.id === frame.id && f.t !== 'objs', ms);
    this.send(frame);
    return answer;
  }

  close(): void {
    this.ws.close();
  }
}
