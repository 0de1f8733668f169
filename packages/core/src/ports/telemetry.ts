/** Structured logging, injected (pino in the Node host). */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Counters and histograms, injected (prom-client in the Node host). Names are fixed, labels small. */
export interface Metrics {
  count(name: MetricName, labels?: Record<string, string>, by?: number): void;
  observe(name: HistogramName, seconds: number): void;
  gauge(name: GaugeName, delta: number): void;
}

export type MetricName = 'frames_in' | 'errors' | 'publishes' | 'deliveries' | 'dropped_slow' | 'bus_in' | 'bus_out' | 'bus_errors';
export type HistogramName = 'publish_commit_seconds';
export type GaugeName = 'connections' | 'subscriptions' | 'rooms';

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
export const noMetrics: Metrics = { count() {}, observe() {}, gauge() {} };
