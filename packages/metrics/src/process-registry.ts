import { collectDefaultMetrics, Registry } from 'prom-client';

/** The farm's processes; each has a registry of its own. */
export type FarmRole = 'gateway' | 'worker' | 'stitcher';

/** Every metric name the farm exports starts with this. */
export const METRIC_PREFIX = 'portrait_farm_';

/**
 * A process's registry with Node's default metrics (CPU, memory, event loop lag, heap) under
 * `portrait_farm_{role}_`, e.g. `portrait_farm_worker_process_start_time_seconds`: a series an alert can count.
 */
export function createProcessRegistry(role: FarmRole): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: `${METRIC_PREFIX}${role}_` });
  return registry;
}
