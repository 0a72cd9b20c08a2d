import type { Engine } from '@portrait-farm/engine';
import type { FarmLogger } from '@portrait-farm/logging';
import type { CancelWatcher, JobStore } from '@portrait-farm/jobs';
import type { FarmMetrics } from '@portrait-farm/metrics';
import type { FarmQueues } from '@portrait-farm/queue';
import type { ObjectStorage } from '@portrait-farm/storage';
import type { ClipCache } from './clip-cache.ts';
import type { StageRecorder } from './stage-run.ts';

/** What the farm's steps work with; every step is a plain async function of these. */
export interface FarmDeps {
  storage: ObjectStorage;
  jobs: JobStore;
  queues: FarmQueues;
  /** Gives each job an AbortSignal fired by POST /v1/jobs/{id}/cancel. */
  cancels: CancelWatcher;
  /** Folder for downloaded inputs, chunks being encoded and outputs being joined. */
  tempDir: string;
  /**
   * Where the steps log: one structured entry per step event with `jobId`, `tenant`, `segment`, `queue`, `attempt`,
   * durations in milliseconds and `err`; the events a person follows also carry `event` (`@portrait-farm/logging`).
   */
  logger: FarmLogger;
  /** The process's Prometheus metrics: steps, segments, jobs that end. @defaultValue none: nothing counted */
  metrics?: FarmMetrics;
  /** Records each stage a step runs on the job's timeline (and the worker's activity). @defaultValue none: nothing recorded */
  stages?: StageRecorder;
}

/** Steps that run the models (prepare, segment) also need the loaded engine and the pack folder it came from. */
export interface EngineDeps extends FarmDeps {
  engine: Engine;
  /** The model pack folder the engine was created from. */
  packDir: string;
  /** Prepared clips and render pools of recent jobs (per process). */
  clips: ClipCache;
  /**
   * The key of the invisible watermark every segment embeds (PORTRAIT_FARM_WATERMARK_KEY); null or unset: the
   * watermark's default key. Every farm render is watermarked; there is no way to turn it off.
   */
  watermarkKey?: string | null;
}
