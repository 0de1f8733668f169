import type { Metrics } from '../ports/telemetry.ts';
import type { ConnectionContext } from './connection-context.ts';
import { Connection } from './connection.ts';
import type { Transport } from './transport.ts';

/** What a host shares with every connection it serves (the set keeps its own open and close). */
export type ServedContext = Omit<ConnectionContext, 'onOpen' | 'onClose'>;

/** The open connections of a node or relay: served, counted, and ended together. */
export class Connections {
  private readonly open = new Set<Connection>();
  private readonly metrics: Metrics;

  constructor(metrics: Metrics) {
    this.metrics = metrics;
  }

  /** Serves a new client connection over `transport`. */
  serve(ctx: ServedContext, transport: Transport): Connection {
    return new Connection(
      {
        ...ctx,
        onOpen: (c) => {
          this.open.add(c);
          this.metrics.gauge('connections', 1);
        },
        onClose: (c) => {
          if (this.open.delete(c)) this.metrics.gauge('connections', -1);
        },
      },
      transport,
    );
  }

  /** Every open connection now (a copy: ending one while iterating is safe). */
  list(): Connection[] {
    return [...this.open];
  }

  get size(): number {
    return this.open.size;
  }
}
