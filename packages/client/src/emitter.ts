type Listener<T> = (value: T) => void;

/**
 * A minimal typed event emitter (runs in browsers and Node alike). A listener that throws
 * does not stop the others; its error is re-emitted as `error` when the emitter has one.
 */
export class Emitter<Events extends { error: unknown }> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  emit<K extends keyof Events>(event: K, value: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<Events[K]>)(value);
      } catch (e) {
        if (event !== 'error') this.emit('error', e as Events['error']);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
