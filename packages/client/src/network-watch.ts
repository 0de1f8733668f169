/**
 * Browsers know when the network comes and goes (`online`/`offline` on window): the client
 * retries at once when it comes back instead of waiting out its backoff, and drops a socket
 * that cannot work when it goes. Elsewhere (Node) there is nothing to watch.
 */
export function watchBrowserNetwork(handlers: { online(): void; offline(): void }): () => void {
  const target = globalThis as { addEventListener?: (type: string, fn: () => void) => void; removeEventListener?: (type: string, fn: () => void) => void };
  if (typeof target.addEventListener !== 'function' || typeof target.removeEventListener !== 'function') return () => undefined;
  const online = () => handlers.online();
  const offline = () => handlers.offline();
  target.addEventListener('online', online);
  target.addEventListener('offline', offline);
  return () => {
    target.removeEventListener?.('online', online);
    target.removeEventListener?.('offline', offline);
  };
}
