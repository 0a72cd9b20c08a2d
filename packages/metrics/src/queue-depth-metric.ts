import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

/** The states a queue's jobs are counted in; each job is in exactly one. */
export const QUEUE_STATES = Object.freeze(['waiting', 'prioritized', 'delayed', 'active', 'failed'] as const);
export type QueueState = (typeof QUEUE_STATES)[number];

/** Per queue, its jobs per state. */
export type QueueStateCounts = Record<string, Record<QueueState, number>>;

/**
 * `portrait_farm_queue_jobs{queue, state}`, read with `read` at each scrape (from Redis: every gateway reports the
 * same numbers, so dashboards take `max by (queue, state)`). A read that fails leaves the gauge empty for that scrape.
 */
export function defineQueueDepthMetric(registry: Registry, read: () => Promise<QueueStateCounts>): Gauge<'queue' | 'state'> {
  return new Gauge({
    name: 'portrait_farm_queue_jobs',
    help: 'Jobs per farm queue and state (waiting, prioritized, delayed, active, failed), read from Redis at scrape time.',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const counts = await read().catch(() => null);
      if (counts === null) return;
      for (const [queue, states] of Object.entries(counts)) {
        for (const state of QUEUE_STATES) this.set({ queue, state }, states[state]);
      }
    },
  });
}
