import type { FarmQueues } from '@portrait-farm/queue';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The gateway's Prometheus registry (one per gateway instance, so tests can build several). */
export interface GatewayMetrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  /** No tenant label: /metrics needs no API key, so it names no tenant. */
  jobsCreated: Counter;
  rejections: Counter<'code'>;
}

export function createMetrics(queues: FarmQueues): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'portrait_farm_gateway_' });
  const httpDuration = new Histogram({
    name: 'portrait_farm_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const jobsCreated = new Counter({
    name: 'portrait_farm_jobs_created_total',
    help: 'Jobs created (not counting idempotent replays).',
    registers: [registry],
  });
  const rejections = new Counter({
    name: 'portrait_farm_http_errors_total',
    help: 'Error responses by error code.',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'portrait_farm_queue_jobs',
    help: 'Jobs per farm queue and state (waiting, active, delayed, failed), read from Redis at scrape time.',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const depths = await queues.depths().catch(() => null);
      if (depths === null) return;
      for (const [queue, depth] of Object.entries(depths)) {
        for (const [state, value] of Object.entries(depth)) this.set({ queue, state }, value);
      }
    },
  });
  return { registry, httpDuration, jobsCreated, rejections };
}
