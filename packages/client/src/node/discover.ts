import { DnsSdDiscovery, type Discovery, type FoundService } from '@michat/discovery';

export interface DiscoverOptions {
  /** How long to collect answers (default 1.5 s). */
  timeoutMs?: number;
  /** Ask one responder directly (`host:port`) instead of multicast DNS. */
  unicast?: { host: string; port: number };
  /** Another way to find services (tests, or an app's own). */
  discovery?: Discovery;
}

/**
 * michat servers and relays announcing themselves on the local network (DNS-SD over mDNS),
 * relays first: pass one's `url` to `MichatClient.login` as to any server. Node only.
 */
export async function discoverServers(options: DiscoverOptions = {}): Promise<FoundService[]> {
  const discovery = options.discovery ?? new DnsSdDiscovery(options.unicast ? { unicast: options.unicast } : {});
  const found = await discovery.browse(options.timeoutMs);
  return found.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'relay' ? -1 : 1));
}

export type { FoundService } from '@michat/discovery';
