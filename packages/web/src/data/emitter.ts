/** A change signal: listeners run once per animation frame at most, however many changes came. */
export class ChangeSignal {
  private readonly listeners = new Set<() => void>();
  private scheduled = false;

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      for (const l of [...this.listeners]) l();
    };
    // Background tabs get no frames; a timer keeps them current (and tests deterministic).
    if (typeof document !== 'undefined' && document.visibilityState === 'visible') requestAnimationFrame(run);
    else setTimeout(run, 16);
  }
}
