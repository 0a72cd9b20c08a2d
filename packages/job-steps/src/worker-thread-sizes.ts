/** Most render threads a worker starts (PORTRAIT_FARM_RENDER_THREADS' range). */
export const MAX_RENDER_THREADS = 32;

/** The threads one worker process runs its segments on, and what they were sized from. */
export interface WorkerThreadSizes {
  /** CPU cores the worker may use (PORTRAIT_FARM_WORKER_CORES, or measured). */
  readonly cores: number;
  /** Render threads, shared by the worker's segments. */
  readonly renderThreads: number;
  /** onnxruntime intra-op threads of the denoiser, one session serving every segment the worker runs. */
  readonly intraOpThreads: number;
  /** Whether renderThreads is the operator's (PORTRAIT_FARM_RENDER_THREADS) or sized from the cores. */
  readonly renderThreadsFrom: 'setting' | 'cores';
}

/** What {@link workerThreadSizes} sizes the threads from. */
export interface WorkerThreadInputs {
  /** CPU cores the worker may use. */
  cores: number;
  /** Segment steps the worker runs at once. */
  segmentConcurrency: number;
  /** PORTRAIT_FARM_RENDER_THREADS, or null where unset. */
  renderThreads: number | null;
}

/**
 * Sizes a worker's threads to its cores so that N workers on a machine, each given its share, do not run more busy
 * threads than there are cores: a render thread per core but one (at least one), the pool being shared by the
 * segments, since the main thread is on the segments' critical path (motion chained from segment to segment, frames
 * fed to the encoder) and a second render thread on a 2-core worker measured no faster (docs/performance.md); and
 * the cores split among the segments that may denoise at the same time.
 */
export function workerThreadSizes(inputs: WorkerThreadInputs): WorkerThreadSizes {
  const cores = Math.max(1, Math.floor(inputs.cores));
  return {
    cores,
    renderThreads: inputs.renderThreads ?? Math.min(MAX_RENDER_THREADS, Math.max(1, cores - 1)),
    intraOpThreads: Math.max(1, Math.floor(cores / Math.max(1, inputs.segmentConcurrency))),
    renderThreadsFrom: inputs.renderThreads === null ? 'cores' : 'setting',
  };
}
