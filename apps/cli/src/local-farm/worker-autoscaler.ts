import { nextPoolState } from '@portrait-farm/process-supervision';
import type { PoolState } from '@portrait-farm/process-supervision';
import type { WorkerPool } from './worker-pool.ts';
import type { WorkerScaling } from './worker-scaling.ts';

/** Options of {@link startWorkerAutoscaler}. */
export interface WorkerAutoscalerOptions {
  pool: WorkerPool;
  scaling: WorkerScaling;
  /** Render steps one worker runs at once (its PORTRAIT_FARM_SEGMENT_CONCURRENCY). */
  stepsPerWorker: number;
  /** The render steps waiting or running now (the depth report's `render.total`). */
  readRenderWork: () => Promise<number>;
  /** Gets a line each time the pool grows or shrinks, and when the depth cannot be read (once until it can again). */
  log: (line: string) => void;
  /** How often the depth is read. @defaultValue 1000 */
  intervalMs?: number;
}

/** A running autoscaler. */
export interface WorkerAutoscaler {
  /** Stops reading the depth and resizing (the workers keep running); resolves once no resize is under way. */
  stop(): Promise<void>;
}

/**
 * Sizes the local farm's worker pool between `scaling.min` and `.max` from the render work: more workers at once while
 * steps wait beyond what the running ones take, fewer once fewer have been enough for `scaling.scaleDownAfterMs`.
 */
export function startWorkerAutoscaler(options: WorkerAutoscalerOptions): WorkerAutoscaler {
  const { pool, scaling, stepsPerWorker, log } = options;
  const sizing = { min: scaling.min, max: scaling.max, workPerProcess: stepsPerWorker, shrinkAfterMs: scaling.scaleDownAfterMs };
  let state: PoolState = { size: pool.workers.length, surplusSince: null };
  let stopped = false;
  let readFailing = false;
  let timer: NodeJS.Timeout | null = null;
  let tick: Promise<void> = Promise.resolve();

  const check = async (): Promise<void> => {
    let work: number;
    try {
      work = await options.readRenderWork();
      readFailing = false;
    } catch (error) {
      if (!readFailing) log(`autoscaler: cannot read the queue depth (${(error as Error).message}); the workers stay as they are`);
      readFailing = true;
      return;
    }
    const next = nextPoolState(sizing, state, work, Date.now());
    if (stopped) return;
    if (next.size !== state.size) {
      const why =
        next.size > state.size
          ? `${work} render step${work === 1 ? '' : 's'} waiting or running, ${stepsPerWorker} per worker`
          : `fewer were enough for ${scaling.scaleDownAfterMs / 1000} s; stopped workers finish their step`;
      log(`workers ${state.size} -> ${next.size} (${why})`);
      await pool.resize(next.size);
    }
    state = next;
  };
  const schedule = (): void => {
    timer = setTimeout(() => {
      tick = check()
        .catch((error: Error) => log(`autoscaler: resizing the workers failed (${error.message}); trying again`))
        .finally(() => {
          if (!stopped) schedule();
        });
    }, options.intervalMs ?? 1000);
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      await tick;
    },
  };
}
