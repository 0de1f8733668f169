/** What a michat server or relay tells the local network about itself. */
export interface ServiceInfo {
  /** A name people recognise (`Office relay`); unique on the network. */
  name: string;
  kind: 'server' | 'relay';
  /** The HTTP port (the WebSocket is at `path` on the same port). */
  port: number;
  /** WebSocket path (default `/ws`). */
  path?: string;
}

/** A server or relay found on the network. */
export interface FoundService {
  name: string;
  kind: 'server' | 'relay';
  host: string;
  port: number;
  /** Base URL for the HTTP API and sign-in (what the SDK and CLI take as the server). */
  url: string;
  wsUrl: string;
}

/**
 * Finding michat on the local network, behind one interface: DNS-SD over multicast DNS on
 * a LAN, or the same queries sent unicast to one known responder (tests on loopback,
 * networks that filter multicast).
 */
export interface Discovery {
  /** Answers queries for this service until the returned function is called. */
  announce(info: ServiceInfo): Promise<() => Promise<void>>;
  /** Asks, and collects every answer that arrives within `timeoutMs`. */
  browse(timeoutMs?: number): Promise<FoundService[]>;
}

/** The DNS-SD service type of michat. */
export const SERVICE_TYPE = '_michat._tcp.local';
