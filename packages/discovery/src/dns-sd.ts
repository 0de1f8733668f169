import { networkInterfaces } from 'node:os';
import makeMdns from 'multicast-dns';
import type { Answer } from 'dns-packet';
import { SERVICE_TYPE, type Discovery, type FoundService, type ServiceInfo } from './discovery.ts';

export interface DnsSdOptions {
  /**
   * Ask and answer one responder directly instead of the multicast group: the responder
   * listens on `host:port`, and browsers send their queries there. Without it: mDNS
   * (224.0.0.251, port 5353) on every interface.
   */
  unicast?: { host: string; port: number };
}

const DEFAULT_BROWSE_MS = 1_500;
const TTL_S = 120;

/** DNS-SD records for michat, over `multicast-dns`. */
export class DnsSdDiscovery implements Discovery {
  private readonly options: DnsSdOptions;

  constructor(options: DnsSdOptions = {}) {
    this.options = options;
  }

  async announce(info: ServiceInfo): Promise<() => Promise<void>> {
    const unicast = this.options.unicast;
    const mdns = makeMdns(unicast ? { multicast: false, port: unicast.port, bind: unicast.host, interface: unicast.host } : {});
    await ready(mdns);
    const instance = `${label(info.name)}.${SERVICE_TYPE}`;
    const hostName = `${label(info.name)}-host.local`;
    const addresses = unicast ? [unicast.host] : lanAddresses();
    const records = (): Answer[] => [
      { name: SERVICE_TYPE, type: 'PTR', ttl: TTL_S, data: instance },
      { name: instance, type: 'SRV', ttl: TTL_S, data: { port: info.port, target: hostName } },
      { name: instance, type: 'TXT', ttl: TTL_S, data: [`kind=${info.kind}`, `path=${info.path ?? '/ws'}`, `name=${info.name}`] },
      ...addresses.map((ip): Answer => ({ name: hostName, type: 'A', ttl: TTL_S, data: ip })),
    ];
    mdns.on('query', (query, rinfo) => {
      if (!(query.questions ?? []).some((q) => q.name === SERVICE_TYPE && (q.type === 'PTR' || (q.type as string) === 'ANY'))) return;
      const [ptr, ...rest] = records();
      const response = { answers: [ptr!], additionals: rest };
      // Unicast mode (and legacy queries from another port) answer the asker; mDNS the group.
      if (unicast || rinfo.port !== 5353) mdns.respond(response, rinfo);
      else mdns.respond(response);
    });
    return () => new Promise<void>((resolve) => mdns.destroy(() => resolve()));
  }

  async browse(timeoutMs = DEFAULT_BROWSE_MS): Promise<FoundService[]> {
    const unicast = this.options.unicast;
    const mdns = makeMdns(unicast ? { multicast: false, port: 0, bind: unicast.host, interface: unicast.host } : {});
    await ready(mdns);
    const found = new Map<string, FoundService>();
    mdns.on('response', (response) => {
      for (const service of servicesIn([...(response.answers ?? []), ...(response.additionals ?? [])])) found.set(service.name, service);
    });
    const questions = [{ name: SERVICE_TYPE, type: 'PTR' as const }];
    if (unicast) mdns.query({ questions }, { address: unicast.host, port: unicast.port });
    else mdns.query({ questions });
    await new Promise((r) => setTimeout(r, timeoutMs));
    await new Promise<void>((resolve) => mdns.destroy(() => resolve()));
    return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}

/** The services a response describes (PTR → SRV + TXT → A), complete ones only. */
function servicesIn(records: Answer[]): FoundService[] {
  const out: FoundService[] = [];
  for (const ptr of records) {
    if (ptr.type !== 'PTR' || ptr.name !== SERVICE_TYPE) continue;
    const instance = ptr.data;
    const srv = records.find((r) => r.type === 'SRV' && r.name === instance);
    const txt = records.find((r) => r.type === 'TXT' && r.name === instance);
    if (srv?.type !== 'SRV') continue;
    const a = records.find((r) => r.type === 'A' && r.name === srv.data.target);
    if (a?.type !== 'A') continue;
    const fields = new Map(
      (txt?.type === 'TXT' ? (Array.isArray(txt.data) ? txt.data : [txt.data]) : []).map((entry) => {
        const text = typeof entry === 'string' ? entry : Buffer.from(entry).toString('utf8');
        const at = text.indexOf('=');
        return [text.slice(0, at), text.slice(at + 1)] as const;
      }),
    );
    const kind = fields.get('kind') === 'relay' ? 'relay' : 'server';
    const path = fields.get('path') ?? '/ws';
    const base = `http://${a.data}:${srv.data.port}`;
    out.push({ name: fields.get('name') ?? instance, kind, host: a.data, port: srv.data.port, url: base, wsUrl: `ws://${a.data}:${srv.data.port}${path}` });
  }
  return out;
}

function label(name: string): string {
  return name.replace(/[^A-Za-z0-9-]+/g, '-').slice(0, 63) || 'michat';
}

function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((i) => i !== undefined && i.family === 'IPv4' && !i.internal)
    .map((i) => i!.address);
}

function ready(mdns: makeMdns.MulticastDNS): Promise<void> {
  return new Promise((resolve, reject) => {
    mdns.once('ready', () => resolve());
    mdns.once('error', reject);
  });
}
