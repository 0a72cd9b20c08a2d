import type { SupervisedProcess } from '@portrait-farm/process-supervision';

/**
 * How long a worker stopped because the pool shrinks gets to finish its step: beyond the worker's own 2 min
 * (runUntilSignal), so that it always exits by itself.
 */
export const RETIRE_GRACE_MS = 150_000;

/** The farm's worker processes, `worker-1` ... `worker-N`, grown and shrunk by name. */
export interface WorkerPool {
  /** The workers that take work now (not those finishing their last step). */
  readonly workers: readonly SupervisedProcess[];
  /**
   * Starts workers (the lowest free numbers) or stops the highest-numbered ones until `size` take work. A stopped
   * worker takes no new step and finishes the one it runs (SIGTERM, then RETIRE_GRACE_MS); this resolves without
   * waiting for that.
   */
  resize(size: number): Promise<void>;
  /** Stops every worker, those still finishing included, giving each `graceMs` (a step cut short is retried). */
  stop(graceMs: number): Promise<void>;
}

/** A pool whose workers `start(name)` starts (supervised: restarted if they crash). */
export function createWorkerPool(start: (name: string) => Promise<SupervisedProcess>): WorkerPool {
  const active: SupervisedProcess[] = [];
  const retiring = new Map<SupervisedProcess, Promise<void>>();
  const number = (worker: SupervisedProcess): number => Number(worker.name.slice('worker-'.length));
  const freeName = (): string => {
    const taken = new Set([...active, ...retiring.keys()].map(number));
    let n = 1;
    while (taken.has(n)) n++;
    return `worker-${n}`;
  };
  return {
    get workers() {
      return [...active];
    },
    async resize(size) {
      while (active.length < size) {
        active.push(await start(freeName()));
        active.sort((a, b) => number(a) - number(b));
      }
      while (active.length > size) {
        const worker = active.pop()!;
        retiring.set(worker, worker.stop(RETIRE_GRACE_MS).finally(() => retiring.delete(worker)));
      }
    },
    async stop(graceMs) {
      const all = [...active.splice(0), ...retiring.keys()];
      await Promise.all(all.map((worker) => worker.stop(graceMs)));
    },
  };
}
