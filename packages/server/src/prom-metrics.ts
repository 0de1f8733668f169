import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { GaugeName, HistogramName, MetricName, Metrics } from '@michat/core';

/** The core's Metrics port on prom-client; one registry per server (tests run several). */
export function promMetrics(): { metrics: Metrics; registry: Registry } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const counters: Record<MetricName, Counter> = {
    frames_in: new Counter({ name: 'michat_frames_in_total', help: 'Frames received, by type', labelNames: ['type'], registers: [registry] }),
    errors: new Counter({ name: 'michat_errors_total', help: 'Error frames sent, by kind', labelNames: ['kind'], registers: [registry] }),
    publishes: new Counter({ name: 'michat_publishes_total', help: 'Objects stored', registers: [registry] }),
    deliveries: new Counter({ name: 'michat_deliveries_total', help: 'Live objects sent to subscribers', registers: [registry] }),
    dropped_slow: new Counter({ name: 'michat_dropped_slow_total', help: 'Live deliveries dropped because the subscriber was too slow', registers: [registry] }),
    bus_in: new Counter({ name: 'michat_bus_in_total', help: 'Room events received from other nodes (cluster mode)', registers: [registry] }),
    bus_out: new Counter({ name: 'michat_bus_out_total', help: 'Events published to the bus (cluster mode)', registers: [registry] }),
    bus_errors: new Counter({ name: 'michat_bus_errors_total', help: 'Bus publishes or presence writes that failed, and unreadable bus messages', registers: [registry] }),
  };
  const histograms: Record<HistogramName, Histogram> = {
    publish_commit_seconds: new Histogram({
      name: 'michat_publish_commit_seconds',
      help: 'Time from publish to durable commit',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
  };
  const gauges: Record<GaugeName, Gauge> = {
    connections: new Gauge({ name: 'michat_connections', help: 'Open client connections', registers: [registry] }),
    subscriptions: new Gauge({ name: 'michat_subscriptions', help: 'Live subscriptions', registers: [registry] }),
    rooms: new Gauge({ name: 'michat_rooms', help: 'Rooms loaded on this node', registers: [registry] }),
  };
  const metrics: Metrics = {
    count: (name, labels, by = 1) => (labels ? counters[name].inc(labels, by) : counters[name].inc(by)),
    observe: (name, seconds) => histograms[name].observe(seconds),
    gauge: (name, delta) => gauges[name].inc(delta),
  };
  return { metrics, registry };
}
