import { Gauge, type Registry } from 'prom-client';
import type { RelayNode } from '@michat/relay';

/** What an operator watches on a relay, read at each scrape (on top of the node metrics). */
export function relayGauges(registry: Registry, relay: () => RelayNode | undefined): void {
  new Gauge({
    name: 'michat_relay_upstream_connected',
    help: '1 while the relay is connected to its parent, else 0',
    registers: [registry],
    collect() {
      this.set(relay()?.online ? 1 : 0);
    },
  });
  new Gauge({
    name: 'michat_relay_dirty_channels',
    help: 'Channels holding local publishes the parent may lack (sent once it is reachable)',
    registers: [registry],
    collect() {
      this.set(relay()?.cache.dirtyChannels().length ?? 0);
    },
  });
  new Gauge({
    name: 'michat_relay_refused_objects',
    help: 'Objects the parent refused for good (kept in the cache only; see the log)',
    registers: [registry],
    collect() {
      this.set(relay()?.refused.size ?? 0);
    },
  });
}
