/** How a pool of identical processes is sized from the work there is for it. */
export interface PoolSizing {
  /** Fewest processes, kept however idle the pool is. */
  min: number;
  /** Most processes. */
  max: number;
  /** Units of work one process takes at once. */
  workPerProcess: number;
  /** How long fewer processes must have been enough before the pool shrinks, in milliseconds. */
  shrinkAfterMs: number;
}

/** Where the pool stands: its size, and since when (ms since the epoch) fewer processes have been enough, or null. */
export interface PoolState {
  size: number;
  surplusSince: number | null;
}

/** The processes `work` units need, within [min, max]. */
export function processesFor(sizing: PoolSizing, work: number): number {
  return Math.min(sizing.max, Math.max(sizing.min, Math.ceil(Math.max(0, work) / sizing.workPerProcess)));
}

/**
 * The pool's next state for the work waiting or running now: it grows at once to what the work needs, and shrinks to
 * it only once fewer processes have been enough for `shrinkAfterMs` without a break, so a short lull stops nothing.
 */
export function nextPoolState(sizing: PoolSizing, state: PoolState, work: number, now: number): PoolState {
  const needed = processesFor(sizing, work);
  if (needed >= state.size) return { size: needed, surplusSince: null };
  const since = state.surplusSince ?? now;
  return now - since >= sizing.shrinkAfterMs ? { size: needed, surplusSince: null } : { size: state.size, surplusSince: since };
}
