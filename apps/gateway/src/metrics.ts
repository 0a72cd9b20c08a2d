import { createFarmMetrics, defineQueueDepthMetric } from '@portrait-farm/metrics';
import type { FarmMetrics, QueueStateCounts } from '@portrait-farm/metrics';
import { readQueueDepths } from '@portrait-farm/queue';
import type { FarmQueues } from '@portrait-farm/queue';
import { Counter, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

/** The gateway's Prometheus registry (one per gateway instance, so tests can build several). */
export interface GatewayMetrics {
  registry: Registry;
  /** The farm's families (@portrait-farm/metrics) on this registry: storage errors, webhook deliveries, canceled jobs. */
  farm: FarmMetrics;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  /** No tenant label: /metrics needs no API key, so it names no tenant. */
  jobsCreated: Counter;
  rejections: Counter<'code'>;
}

/** Each queue's jobs in exactly one state (the depth report's `waiting` includes the prioritized ones). */
export async function queueStateCounts(queues: FarmQueues): Promise<QueueStateCounts> {
  const report = await readQueueDepths(queues);
  return Object.fromEntries(
    Object.entries(report.queues).map(([name, counts]) => [
      name,
      { waiting: counts.waiting - counts.prioritized, prioritized: counts.prioritized, delayed: counts.delayed, active: counts.active, failed: counts.failed },
    ]),
  );
}

export function createMetrics(queues: FarmQueues): GatewayMetrics {
  const farm = createFarmMetrics('gateway');
  const { registry } = farm;
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
  defineQueueDepthMetric(registry, () => queueStateCounts(queues));
  return { registry, farm, httpDuration, jobsCreated, rejections };
}
