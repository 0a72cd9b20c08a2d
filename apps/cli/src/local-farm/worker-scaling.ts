import { LocalFarmError } from './errors.ts';

/** The bounds of the local farm's worker counts, shared by `up`'s flags and {@link resolveWorkerScaling}. */
export const WORKER_BOUNDS = Object.freeze({
  /** Fewest workers a farm may keep (0: none while idle, one started when work comes). */
  min: 0,
  /** Most workers. */
  max: 64,
  /** Longest scale-down delay, in seconds (a day). */
  maxScaleDownAfterSeconds: 86_400,
});

/** The worker options of the local farm, as given. */
export interface WorkerScalingOptions {
  /** A fixed number of workers: the same as workersMin = workersMax = workers. */
  workers?: number;
  /** Fewest worker processes (0 to 64). @defaultValue `workers`, else 1 */
  workersMin?: number;
  /** Most worker processes (1 to 64); above workersMin, workers are started while render work waits. @defaultValue `workers`, else the larger of workersMin and 1 */
  workersMax?: number;
  /** How long the farm needs fewer workers before it stops the surplus, in milliseconds. @defaultValue 60000 */
  scaleDownAfterMs?: number;
}

/** The worker pool's bounds, resolved: `min === max` is a fixed pool. */
export interface WorkerScaling {
  min: number;
  max: number;
  scaleDownAfterMs: number;
}

const DEFAULT_SCALE_DOWN_AFTER_MS = 60_000;

function checkInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new LocalFarmError('FARM_BAD_CONFIG', `${name} must be an integer between ${min} and ${max}. Received: ${value}`);
  }
  return value;
}

/** The pool's bounds from the options; FARM_BAD_CONFIG names the option (and its `up` flag) that is wrong. */
export function resolveWorkerScaling(options: WorkerScalingOptions): WorkerScaling {
  if (options.workers !== undefined && (options.workersMin !== undefined || options.workersMax !== undefined)) {
    throw new LocalFarmError('FARM_BAD_CONFIG', 'workers (--workers) is a fixed count: give it, or workersMin and workersMax (--workers-min, --workers-max), not both.');
  }
  const fixed = options.workers === undefined ? undefined : checkInteger('workers (--workers)', options.workers, 1, WORKER_BOUNDS.max);
  const min = checkInteger('workersMin (--workers-min)', options.workersMin ?? fixed ?? 1, WORKER_BOUNDS.min, WORKER_BOUNDS.max);
  const max = checkInteger('workersMax (--workers-max)', options.workersMax ?? fixed ?? Math.max(min, 1), 1, WORKER_BOUNDS.max);
  if (min > max) {
    throw new LocalFarmError('FARM_BAD_CONFIG', `workersMin (--workers-min) must not be above workersMax (--workers-max). Received: ${min} > ${max}`);
  }
  const scaleDownAfterMs = checkInteger('scaleDownAfterMs (--scale-down-after, in seconds)', options.scaleDownAfterMs ?? DEFAULT_SCALE_DOWN_AFTER_MS, 0, WORKER_BOUNDS.maxScaleDownAfterSeconds * 1000);
  return { min, max, scaleDownAfterMs };
}

/** "2 workers", or "1 to 4 workers (autoscaled)". */
export function describeWorkerScaling({ min, max }: Pick<WorkerScaling, 'min' | 'max'>): string {
  return min === max ? `${min} worker${min === 1 ? '' : 's'}` : `${min} to ${max} workers, autoscaled`;
}
