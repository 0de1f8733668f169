import { afterEach, describe, expect, it } from 'vitest';
import { freeUdpPort } from '@michat/testkit';
import { DnsSdDiscovery } from './dns-sd.ts';

/** A free UDP port on loopback. */

describe('DNS-SD discovery (unicast on loopback)', () => {
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(stops.splice(0).map((stop) => stop()));
  });

  it('a browser finds an announced server with its URLs, and nothing once it stopped announcing', async () => {
    const unicast = { host: '127.0.0.1', port: await freeUdpPort() };
    const stop = await new DnsSdDiscovery({ unicast }).announce({ name: 'Office server', kind: 'server', port: 8443 });
    stops.push(stop);
    const found = await new DnsSdDiscovery({ unicast }).browse(500);
    expect(found).toEqual([{ name: 'Office server', kind: 'server', host: '127.0.0.1', port: 8443, url: 'http://127.0.0.1:8443', wsUrl: 'ws://127.0.0.1:8443/ws' }]);

    await stops.pop()!();
    expect(await new DnsSdDiscovery({ unicast }).browse(300)).toEqual([]);
  });

  it('tells relays from servers and keeps a custom WebSocket path', async () => {
    const unicast = { host: '127.0.0.1', port: await freeUdpPort() };
    stops.push(await new DnsSdDiscovery({ unicast }).announce({ name: 'Ship relay', kind: 'relay', port: 9000, path: '/michat/ws' }));
    const [relay] = await new DnsSdDiscovery({ unicast }).browse(500);
    expect(relay).toMatchObject({ name: 'Ship relay', kind: 'relay', wsUrl: 'ws://127.0.0.1:9000/michat/ws' });
  });
});
