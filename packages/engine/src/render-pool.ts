import type { Worker } from 'node:worker_threads';
import type { RenderBackend } from '@portrait-farm/contracts';
import { siblingScript, startModuleWorker, type ExecutionProvider } from '@portrait-farm/model-runtime';
import type { PreparedMeshwarp } from '@portrait-farm/renderer';
import { EngineError } from './errors.ts';
import type { FrameFormat } from './frame-conversion.ts';
import type { FrameMarks } from './frame-marks.ts';
import { GRAPH_BATCH_FRAMES, type RenderReply, type RenderRequest } from './render-protocol.ts';

/** One portrait on render threads: frames go out in any order and come back in the order asked for. */
export interface RenderPool {
  /**
   * Renders `frameCount` frames, the motion of frame i being `motionOf(i)`, and hands each frame to `consume` in
   * order; `consume` may be async (backpressure from the encoder). The frame buffer is reused after `consume`
   * (by this call or a later one of the pool).
   * `marks` (label, watermark) are drawn into every frame by the thread that rendered it, which then hands it back
   * in `format`: RGB24, or converted to yuv420p (createYuv420Converter's bytes) for an encoder that takes it so.
   */
  renderFrames(
    frameCount: number,
    motionOf: (index: number) => Float32Array,
    consume: (frame: Uint8Array, index: number) => Promise<void> | void,
    signal?: AbortSignal | null,
    marks?: FrameMarks | null,
    format?: FrameFormat,
  ): Promise<void>;
  close(): Promise<void>;
}

/**
 * Render threads started once and shared by every portrait a process renders, so that a clip does not wait for
 * threads to boot. A thread that dies is replaced, with the portraits loaded at the time; meanwhile frames go to
 * the others (a frame is the same whichever thread renders it).
 */
export interface RenderThreads {
  /** Loads a portrait into every thread. Closing the returned pool unloads it; the threads stay. */
  portrait(prepared: PreparedMeshwarp): RenderPool;
  close(): Promise<void>;
}

/** Frames queued per thread, so a thread never waits for the main thread between frames. */
const QUEUED_PER_THREAD = 2;
/** Frames queued per thread drawing with the ONNX graph: what arrives during one run is the next run's batch. */
const GRAPH_QUEUED_PER_THREAD = GRAPH_BATCH_FRAMES;
/** A thread that dies sooner than this after it started is replaced after a pause (doubling to 5 s), not at once. */
const SHORT_LIFE_MS = 1000;
const MAX_RESTART_PAUSE_MS = 5000;

/** How long a closing render thread may take to release its renderers before it is terminated anyway. */
const CLOSE_TIMEOUT_MS = 30_000;

let nextCall = 1;

/** Asks a render thread to release its renderers and end; terminates it if it has not ended in time. */
function closeThread(worker: Worker): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => void worker.terminate(), CLOSE_TIMEOUT_MS);
    worker.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    worker.postMessage({ kind: 'close' } satisfies RenderRequest);
  });
}

/** Options of {@link startRenderThreads}. */
export interface RenderThreadsOptions {
  /**
   * How the threads draw frames (`onnx-graph`: the warp as an ONNX graph on the execution providers,
   * PORTRAIT_FARM_PROVIDERS, else cuda, webgpu, cpu).
   * @defaultValue 'cpu'
   */
  backend?: RenderBackend;
  /** The execution providers of the `onnx-graph` backend, tried in order. @defaultValue PORTRAIT_FARM_PROVIDERS, else cuda, webgpu, cpu */
  providers?: readonly ExecutionProvider[];
  /**
   * Each thread renders a set of poses through every branch of the renderer when its first portrait is loaded, so
   * that V8 compiles them then and not in the middle of a stream (realtime sessions; the CPU renderer).
   * @defaultValue false
   */
  warmUp?: boolean;
  /** The threads' module (tests give one that can be made to die). @defaultValue render-worker */
  script?: URL;
}

/** Starts `count` render threads. */
export function startRenderThreads(count: number, options: RenderThreadsOptions = {}): RenderThreads {
  const script = options.script ?? siblingScript(import.meta.url, 'render-worker');
  const backend = options.backend ?? 'cpu';
  const queuedPerThread = backend === 'onnx-graph' ? GRAPH_QUEUED_PER_THREAD : QUEUED_PER_THREAD;
  if (!Number.isInteger(count) || count < 1) throw new EngineError('ENGINE_BAD_OPTION', `render threads must be a positive integer. Passed: ${count}`);
  const portraits = new Map<number, PreparedMeshwarp>();
  let nextPortrait = 1;
  let closed = false;
  /** Each slot's running thread, or null while it is being replaced. */
  const threads: Array<Worker | null> = [];
  const pauses: number[] = [];

  const start = (slot: number): void => {
    const worker = startModuleWorker(script, { backend, warmUp: options.warmUp === true, providers: options.providers ?? null });
    const startedAt = Date.now();
    for (const [portrait, data] of portraits) worker.postMessage({ kind: 'load', portrait, data } satisfies RenderRequest);
    worker.on('error', () => {}); // a render in progress reports it; the thread is replaced on exit
    worker.once('exit', () => {
      if (closed || threads[slot] !== worker) return;
      threads[slot] = null;
      pauses[slot] = Date.now() - startedAt < SHORT_LIFE_MS ? Math.min(MAX_RESTART_PAUSE_MS, Math.max(100, (pauses[slot] ?? 0) * 2)) : 0;
      setTimeout(() => {
        if (!closed) start(slot);
      }, pauses[slot]).unref();
    });
    threads[slot] = worker;
  };
  for (let slot = 0; slot < count; slot++) start(slot);
  const running = (): Worker[] => threads.filter((worker): worker is Worker => worker !== null);

  return {
    portrait(prepared) {
      if (closed) throw new EngineError('ENGINE_RENDER_THREAD_DIED', 'The render threads are closed.');
      const portrait = nextPortrait++;
      portraits.set(portrait, prepared);
      for (const worker of running()) worker.postMessage({ kind: 'load', portrait, data: prepared } satisfies RenderRequest);
      let unloaded = false;
      // Frames consumed go back to the threads to render into, across calls: a session rendering a frame or two
      // per call would otherwise have every frame's buffer made anew and collected.
      const spareByFormat = new Map<FrameFormat, Uint8Array[]>();
      return {
        renderFrames: (frameCount, motionOf, consume, signal = null, marks = null, format = 'rgb24') => {
          const available = running();
          if (available.length === 0) return Promise.reject(new EngineError('ENGINE_RENDER_THREAD_DIED', 'Every render thread is being restarted.'));
          let spare = spareByFormat.get(format);
          if (spare === undefined) spareByFormat.set(format, (spare = []));
          return renderOn(available, portrait, { frameCount, motionOf, consume, signal, marks, format, queuedPerThread, spare });
        },
        async close() {
          if (unloaded) return;
          unloaded = true;
          portraits.delete(portrait);
          if (!closed) for (const worker of running()) worker.postMessage({ kind: 'unload', portrait } satisfies RenderRequest);
        },
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(running().map((worker) => closeThread(worker)));
    },
  };
}

/** Render threads of their own for one portrait (a single render): closing the pool stops them. */
export async function createRenderPool(prepared: PreparedMeshwarp, threads: number, options: Pick<RenderThreadsOptions, 'backend' | 'providers'> = {}): Promise<RenderPool> {
  const own = startRenderThreads(threads, options);
  const pool = own.portrait(prepared);
  return {
    renderFrames: pool.renderFrames,
    async close() {
      await pool.close();
      await own.close();
    },
  };
}

interface RenderCall {
  frameCount: number;
  motionOf: (index: number) => Float32Array;
  consume: (frame: Uint8Array, index: number) => Promise<void> | void;
  signal: AbortSignal | null;
  marks: FrameMarks | null;
  format: FrameFormat;
  queuedPerThread: number;
  /** Spent frames of this format to render into (the pool's, shared by its calls); consumed frames join it. */
  spare: Uint8Array[];
}

/** Spent frames a pool keeps per format, at most. */
const MAX_SPARE_FRAMES = 16;

function renderOn(threads: Worker[], portrait: number, { frameCount, motionOf, consume, signal, marks, format, queuedPerThread, spare }: RenderCall): Promise<void> {
  const call = nextCall++;
  const pending = threads.map(() => 0);
  const ready = new Map<number, Uint8Array>();
  let next = 0;
  let emitted = 0;

  return new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (error: Error): void => {
      if (failed) return;
      failed = true;
      cleanup();
      reject(error);
    };
    const onAbort = (): void => fail(new EngineError('ENGINE_CANCELED', 'The render was canceled.'));
    const handlers = threads.map((worker, slot) => {
      const onMessage = (reply: RenderReply): void => {
        if (reply.call !== call) return;
        pending[slot]!--;
        if ('error' in reply) return fail(new EngineError('ENGINE_RENDER_THREAD_DIED', `Frame ${reply.index}: ${reply.error}`));
        ready.set(reply.index, reply.frame);
        void drain();
      };
      const onError = (error: Error): void => fail(new EngineError('ENGINE_RENDER_THREAD_DIED', `A render thread failed: ${error.message}`));
      const onExit = (code: number): void => fail(new EngineError('ENGINE_RENDER_THREAD_DIED', `A render thread stopped (exit code ${code}).`));
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      return { worker, onMessage, onError, onExit };
    });
    const cleanup = (): void => {
      signal?.removeEventListener('abort', onAbort);
      for (const h of handlers) {
        h.worker.off('message', h.onMessage);
        h.worker.off('error', h.onError);
        h.worker.off('exit', h.onExit);
      }
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort);

    let draining = false;
    const drain = async (): Promise<void> => {
      if (draining || failed) return;
      draining = true;
      try {
        while (ready.has(emitted)) {
          const frame = ready.get(emitted)!;
          ready.delete(emitted);
          await consume(frame, emitted);
          if (spare.length < MAX_SPARE_FRAMES) spare.push(frame);
          emitted++;
          if (failed) return;
        }
      } catch (error) {
        return fail(error instanceof Error ? error : new Error(String(error)));
      } finally {
        draining = false;
      }
      if (emitted === frameCount) {
        cleanup();
        resolve();
        return;
      }
      dispatch();
    };
    const dispatch = (): void => {
      for (const [slot, worker] of threads.entries()) {
        while (!failed && next < frameCount && pending[slot]! < queuedPerThread && ready.size < threads.length * Math.max(4, queuedPerThread)) {
          const index = next++;
          const buffer = spare.pop() ?? null;
          const request: RenderRequest = { kind: 'render', portrait, call, index, motion: motionOf(index), buffer, marks, format };
          pending[slot]!++;
          worker.postMessage(request, buffer === null ? [] : [buffer.buffer as ArrayBuffer]);
        }
      }
    };
    if (frameCount === 0) {
      cleanup();
      resolve();
      return;
    }
    dispatch();
  });
}
