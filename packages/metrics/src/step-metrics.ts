import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import { codeLabel, oneOfLabel } from './label-values.ts';

/** How a step ended: the step's own outcome, or `failed` when it threw. */
export const STEP_OUTCOMES = Object.freeze(['done', 'canceled', 'skipped', 'failed'] as const);

/**
 * Steps of the farm's queues as one process runs them (label `queue`: prepare, segment, audio, stitch). Utilisation
 * of a process's step slots is `rate(portrait_farm_step_busy_seconds_total[5m]) / portrait_farm_step_slots`.
 */
export interface StepMetrics {
  /** Seconds per step, by queue and outcome. */
  readonly duration: Histogram<'queue' | 'outcome'>;
  /** Seconds spent running steps (summed over concurrent ones), added as each step ends. */
  readonly busySeconds: Counter<'queue'>;
  /** Steps running now. */
  readonly inProgress: Gauge<'queue'>;
  /** Steps this process may run at once (its concurrency per queue). */
  readonly slots: Gauge<'queue'>;
  /** Attempts that threw, by queue and error code. */
  readonly errors: Counter<'queue' | 'code'>;
  /** Queue Workers replaced because they took no job while jobs were ready (superviseWorker of @portrait-farm/queue). */
  readonly workerReplacements: Counter<'queue'>;
}

export function defineStepMetrics(registry: Registry): StepMetrics {
  return {
    duration: new Histogram({
      name: 'portrait_farm_step_duration_seconds',
      help: 'Duration of a farm step (one BullMQ job of the prepare, segment, audio or stitch queue), by queue and outcome.',
      labelNames: ['queue', 'outcome'] as const,
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
      registers: [registry],
    }),
    busySeconds: new Counter({
      name: 'portrait_farm_step_busy_seconds_total',
      help: 'Seconds this process spent running steps, summed over its concurrent steps, by queue.',
      labelNames: ['queue'] as const,
      registers: [registry],
    }),
    inProgress: new Gauge({
      name: 'portrait_farm_steps_in_progress',
      help: 'Steps this process is running now, by queue.',
      labelNames: ['queue'] as const,
      registers: [registry],
    }),
    slots: new Gauge({
      name: 'portrait_farm_step_slots',
      help: 'Steps this process may run at once (its concurrency), by queue.',
      labelNames: ['queue'] as const,
      registers: [registry],
    }),
    errors: new Counter({
      name: 'portrait_farm_step_errors_total',
      help: 'Step attempts that threw, by queue and error code.',
      labelNames: ['queue', 'code'] as const,
      registers: [registry],
    }),
    workerReplacements: new Counter({
      name: 'portrait_farm_queue_worker_replacements_total',
      help: 'Queue Workers of this process replaced by a new one because they took no job while jobs were ready, by queue.',
      labelNames: ['queue'] as const,
      registers: [registry],
    }),
  };
}

/**
 * Times one step: `inProgress` while it runs; when it settles, its duration, busy seconds and (if it threw) its error
 * code. Returns the step's own result.
 */
export async function timeStep<T extends string>(metrics: StepMetrics, queue: string, run: () => Promise<T>, codeOf: (error: unknown) => string): Promise<T> {
  const started = performance.now();
  metrics.inProgress.inc({ queue });
  let outcome: string = 'failed';
  try {
    const result = await run();
    outcome = oneOfLabel(result, STEP_OUTCOMES);
    return result;
  } catch (error) {
    metrics.errors.inc({ queue, code: codeLabel(codeOf(error)) });
    throw error;
  } finally {
    const seconds = (performance.now() - started) / 1000;
    metrics.inProgress.dec({ queue });
    metrics.busySeconds.inc({ queue }, seconds);
    metrics.duration.observe({ queue, outcome }, seconds);
  }
}
