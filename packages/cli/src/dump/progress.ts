import cliProgress from 'cli-progress';

export interface Progress {
  /** Sets the count done (and the total when it changed). */
  update(done: number, total?: number): void;
  stop(): void;
}

/** A progress bar on stderr when it is a terminal; nothing otherwise (scripts, tests, pipes). */
export function progressBar(label: string, total: number, unit: string): Progress {
  if (!process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total} ${unit} | {percentage}% | {eta_formatted} left`, stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    update(done, newTotal) {
      if (newTotal !== undefined) bar.setTotal(newTotal);
      bar.update(done);
    },
    stop: () => bar.stop(),
  };
}
