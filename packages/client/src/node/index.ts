// Node-only parts of the SDK (they import `node:`): kept out of the browser entry.
export { FileStore } from './file-store.ts';
export { discoverServers, type DiscoverOptions, type FoundService } from './discover.ts';
