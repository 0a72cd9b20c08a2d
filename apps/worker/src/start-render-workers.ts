import { createEngine, startRenderThreads, warmUpEngine } from '@portrait-farm/engine';
import type { Engine, RenderThreads, WarmUpOptions } from '@portrait-farm/engine';
import { ClipCache, openStepProcess, processPrepare, processSegment } from '@portrait-farm/job-steps';
import type { EngineDeps, FarmProcessConfig, RunningWorkers, StepOutcome } from '@portrait-farm/job-steps';
import { lineLogger, silentLogger } from '@portrait-farm/logging';
import type { FarmLogger } from '@portrait-farm/logging';
import { recordExecutionProvider, recordInference } from '@portrait-farm/metrics';
import type { FarmMetrics } from '@portrait-farm/metrics';
import { observeInferences } from '@portrait-farm/model-runtime';
import type { ExecutionProvider } from '@portrait-farm/model-runtime';
import { processPresence } from '@portrait-farm/ops';
import { QUEUE_NAMES } from '@portrait-farm/queue';
import type { PrepareJob, SegmentJob } from '@portrait-farm/queue';
import { startWorkerSessions } from './start-session-host.ts';

/** Options of {@link startRenderWorkers}. */
export interface RenderWorkersOptions {
  /** Where the engine and the steps log (main.ts: the process's pino logger). @defaultValue silentLogger */
  logger?: FarmLogger;
  /** An engine already loaded (tests share one); the caller closes it. @defaultValue one created from `config.packDir` */
  engine?: Engine;
  /** Where steps, segments, model runs and storage errors are counted (main.ts serves it). @defaultValue nothing counted */
  metrics?: FarmMetrics;
}

/**
 * The GPU/CPU worker process: the engine loaded once, Workers for the prepare and segment queues, its heartbeat in
 * the worker registry (what it renders, frames/s, provider) from start until it has stopped taking steps, and its
 * realtime sessions' server on the same engine and render threads (PORTRAIT_FARM_SESSIONS_PER_WORKER). A worker
 * whose PORTRAIT_FARM_WORKER_ROLE is `sessions` takes no step; one whose role is `render` hosts no session.
 */
export async function startRenderWorkers(config: FarmProcessConfig, options: RenderWorkersOptions = {}): Promise<RunningWorkers> {
  const logger = options.logger ?? silentLogger;
  const engine =
    options.engine ??
    (await createEngine({
      pack: config.packDir,
      ...(config.providers === null ? {} : { providers: config.providers as ExecutionProvider[] }),
      denoiserIntraOpThreads: config.threads.intraOpThreads,
      log: lineLogger(logger, { component: 'engine' }),
    }));
  const { metrics } = options;
  const presence = processPresence('worker');
  const steps = await openStepProcess(config, logger, 'worker', {
    processId: presence.processId,
    onStage: presence.onStage,
    ...(metrics === undefined ? {} : { metrics }),
  });
  presence.start({
    redis: steps.connection('registry'),
    prefix: config.prefix,
    provider: engine.provider,
    onError: (error) => logger.warn({ err: error }, 'worker heartbeat not written; the next one tries again'),
  });
  const stopObserving = metrics === undefined ? () => {} : observeInferences((run) => recordInference(metrics.inference, run));
  if (metrics !== undefined) recordExecutionProvider(metrics.executionProvider, engine.provider);
  if (config.watermarkKey === null) logger.warn({}, 'PORTRAIT_FARM_WATERMARK_KEY is not set: videos are watermarked with the public default key (anyone can detect the mark)');
  logger.info({ ...config.threads, segmentConcurrency: config.segmentConcurrency, renderer: config.renderer }, 'threads sized');
  // Warmed up once per thread, so that no session's stream pays for V8's first compiles of the renderer.
  const renderThreads = startRenderThreads(config.threads.renderThreads, {
    backend: config.renderer,
    warmUp: true,
    ...(config.providers === null ? {} : { providers: config.providers as ExecutionProvider[] }),
  });
  // While the worker is idle; the first step or session it takes stops it (a worker the autoscaler starts has work
  // waiting; a session's first frames are late while the warm-up shares the cores).
  const warmUpStop = new AbortController();
  const warming = config.warmUp ? warmUp(engine, renderThreads, { pack: config.packDir, scratchDir: steps.deps.tempDir, signal: warmUpStop.signal }, logger) : Promise.resolve();
  const clips = new ClipCache(steps.deps.storage, renderThreads);
  const deps: EngineDeps = { ...steps.deps, engine, packDir: config.packDir, clips, watermarkKey: config.watermarkKey };
  const sessionHost = await startWorkerSessions(config, { steps, engine, renderThreads, hostId: presence.processId, logger, onSessionStart: () => warmUpStop.abort(), ...(metrics === undefined ? {} : { metrics }) });
  // A sessions-only worker takes no step: batch jobs never make its sessions late.
  const workers =
    config.workerRole === 'sessions'
      ? []
      : [
          steps.stepWorker<PrepareJob>(QUEUE_NAMES.prepare, config.prepareConcurrency, async (data) => {
            warmUpStop.abort();
            return forgetClipAfter(deps, data.jobId, 0, await processPrepare(deps, data.jobId));
          }),
          steps.stepWorker<SegmentJob>(QUEUE_NAMES.segment, config.segmentConcurrency, async (data) => {
            warmUpStop.abort();
            return forgetClipAfter(deps, data.jobId, data.segmentIndex, await processSegment(deps, data.jobId, data.segmentIndex));
          }),
        ];
  return {
    workers,
    async close() {
      warmUpStop.abort();
      await warming;
      // Sessions end first (each client gets `closed`), their slots withdrawn, while the steps finish.
      await Promise.all([sessionHost?.close(), ...workers.map((w) => w.close())]);
      await presence.stop();
      await clips.close();
      await renderThreads.close();
      await steps.close();
      if (options.engine === undefined) await engine.close();
      stopObserving();
    },
  };
}

/** Drops the job's clip from this process's cache once segment `index` was its last or the job will not go on. */
async function forgetClipAfter(deps: EngineDeps, jobId: string, index: number, outcome: StepOutcome): Promise<StepOutcome> {
  const record = await deps.jobs.getById(jobId);
  if (outcome !== 'done' || index === (record?.plan?.segments.length ?? 0) - 1) await deps.clips.forget(jobId);
  return outcome;
}

/**
 * Runs the engine's warm-up. Stopped by a step, it says so; a failure is logged, not fatal: each job reports what
 * is wrong with the engine itself. Never rejects.
 */
async function warmUp(engine: Engine, renderThreads: RenderThreads, options: WarmUpOptions & { signal: AbortSignal }, logger: FarmLogger): Promise<void> {
  const started = performance.now();
  const durationMs = (): number => Math.round(performance.now() - started);
  try {
    const rendered = await warmUpEngine(engine, renderThreads, options);
    logger.info({ ...rendered, durationMs: durationMs() }, 'warmed up');
  } catch (error) {
    if (options.signal.aborted) logger.info({ durationMs: durationMs() }, 'warm-up stopped: a step or session came first');
    else logger.warn({ err: error }, 'warm-up failed; the first job runs cold');
  }
}
