import type { MessagePort } from 'node:worker_threads';
import type { RenderBackend } from '@portrait-farm/contracts';
import type { ExecutionProvider } from '@portrait-farm/model-runtime';
import type { PreparedMeshwarp } from '@portrait-farm/renderer';
import { createThreadConversion } from './frame-conversion.ts';
import { createFrameSource, type FrameSource } from './frame-source.ts';
import { markFrame } from './frame-marks.ts';
import type { RenderReply, RenderRequest } from './render-protocol.ts';
import { WARM_UP_POSES } from './warm-up-poses.ts';

type Loaded = FrameSource | Error;

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

function load(data: PreparedMeshwarp, backend: RenderBackend, providers: readonly ExecutionProvider[] | null): Loaded | Promise<Loaded> {
  try {
    const source = createFrameSource(data, backend, providers);
    return source instanceof Promise ? source.catch(asError) : source;
  } catch (error) {
    return asError(error);
  }
}

const release = (loaded: Loaded | Promise<Loaded> | undefined): Promise<void> =>
  Promise.resolve(loaded).then((source) => (source instanceof Error || source === undefined ? undefined : source.close()));

/**
 * Renders the warm-up poses, and converts them as frames are converted. A pose the portrait cannot render is let go:
 * its frames report what is wrong when they are asked for.
 */
function warmUp(source: FrameSource, conversion: ReturnType<typeof createThreadConversion>): void {
  try {
    for (const motion of WARM_UP_POSES) {
      const frame = source.render(motion, null);
      if (frame instanceof Promise) return;
      conversion.toYuv420(frame, source.width, source.height, null);
    }
  } catch {
    // reported by the renders themselves
  }
}

/**
 * What a render thread does with the requests arriving on `port` (see render-protocol.ts), drawing with `backend`.
 * On `close`, once every renderer is released, the port is closed, which ends the thread. With `warmUp` (the CPU
 * renderer only), the first portrait loaded renders {@link WARM_UP_POSES} before any frame is asked of it. `providers`:
 * the `onnx-graph` backend's execution providers (null: model-runtime's default).
 */
export function serveRenderRequests(port: MessagePort, backend: RenderBackend = 'cpu', options: { warmUp?: boolean; providers?: readonly ExecutionProvider[] | null } = {}): void {
  let cold = options.warmUp === true && backend === 'cpu';
  /** Each loaded portrait's renderer, or why it could not be made (reported by its renders, not by a crash). */
  const renderers = new Map<number, Loaded | Promise<Loaded>>();
  const releasing = new Set<Promise<void>>();
  const conversion = createThreadConversion();
  type RenderCall = Extract<RenderRequest, { kind: 'render' }>;
  const fail = (request: RenderCall, error: unknown): void => {
    port.postMessage({ call: request.call, index: request.index, error: asError(error).message } satisfies RenderReply);
  };
  const finish = (request: RenderCall, source: FrameSource, frame: Uint8Array): void => {
    try {
      if (request.marks !== null) markFrame(frame, source.width, source.height, request.marks, request.index);
      const reply = request.format === 'yuv420p' ? conversion.toYuv420(frame, source.width, source.height, request.buffer) : frame;
      port.postMessage({ call: request.call, index: request.index, frame: reply } satisfies RenderReply, [reply.buffer as ArrayBuffer]);
    } catch (error) {
      fail(request, error);
    }
  };
  const render = (request: RenderCall, loaded: Loaded | undefined): void => {
    try {
      if (loaded === undefined) throw new Error(`portrait ${request.portrait} is not loaded in this render thread`);
      if (loaded instanceof Error) throw loaded;
      const buffer = request.format === 'yuv420p' ? conversion.rgbBuffer(loaded.width, loaded.height) : request.buffer;
      const frame = loaded.render(request.motion, buffer);
      if (frame instanceof Promise) frame.then((done) => finish(request, loaded, done), (error: unknown) => fail(request, error));
      else finish(request, loaded, frame);
    } catch (error) {
      fail(request, error);
    }
  };
  port.on('message', (request: RenderRequest) => {
    if (request.kind === 'load') {
      const loaded = load(request.data, backend, options.providers ?? null);
      renderers.set(request.portrait, loaded);
      if (cold && !(loaded instanceof Promise) && !(loaded instanceof Error)) {
        cold = false;
        warmUp(loaded, conversion);
      }
      return;
    }
    if (request.kind === 'unload' || request.kind === 'close') {
      const portraits = request.kind === 'unload' ? [request.portrait] : [...renderers.keys()];
      for (const portrait of portraits) {
        const done = release(renderers.get(portrait)).catch(() => {});
        renderers.delete(portrait);
        releasing.add(done);
        void done.finally(() => releasing.delete(done));
      }
      if (request.kind === 'close') void Promise.all(releasing).then(() => port.close());
      return;
    }
    const loaded = renderers.get(request.portrait);
    if (loaded instanceof Promise) void loaded.then((ready) => render(request, ready));
    else render(request, loaded);
  });
}
