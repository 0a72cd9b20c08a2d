import type { RenderBackend } from '@portrait-farm/contracts';
import type { ExecutionProvider } from '@portrait-farm/model-runtime';
import { createMeshwarpRendererFromPrepared, type PreparedMeshwarp } from '@portrait-farm/renderer';
import { GRAPH_BATCH_FRAMES } from './render-protocol.ts';

/** One portrait's renderer in a render thread, whichever backend draws it. */
export interface FrameSource {
  width: number;
  height: number;
  /** Renders one frame into `buffer` (or a new one); the graph backend answers asynchronously, in request order. */
  render(motion: Float32Array, buffer: Uint8Array | null): Uint8Array | Promise<Uint8Array>;
  close(): Promise<void>;
}

function cpuFrameSource(data: PreparedMeshwarp): FrameSource {
  const renderer = createMeshwarpRendererFromPrepared(data);
  return {
    width: renderer.width,
    height: renderer.height,
    render: (motion, buffer) => renderer.renderFrame(motion, buffer ?? undefined),
    close: async () => {},
  };
}

interface WaitingFrame {
  motion: Float32Array;
  buffer: Uint8Array | null;
  resolve: (frame: Uint8Array) => void;
  reject: (error: unknown) => void;
}

/**
 * The graph renderer: a frame asked for while a run is in flight waits for the next run, which takes every frame
 * waiting (up to GRAPH_BATCH_FRAMES), so that the accelerator gets batches while frames keep their order.
 */
async function graphFrameSource(data: PreparedMeshwarp, providers: readonly ExecutionProvider[] | null): Promise<FrameSource> {
  // Loaded here, not with the module: a CPU render thread does not load the graph backend's modules.
  const { createGraphRendererFromPrepared } = await import('@portrait-farm/renderer/graph');
  const renderer = await createGraphRendererFromPrepared(data, providers === null ? {} : { providers: [...providers] });
  const waiting: WaitingFrame[] = [];
  let running = false;
  const pump = async (): Promise<void> => {
    if (running) return;
    running = true;
    while (waiting.length > 0) {
      const batch = waiting.splice(0, GRAPH_BATCH_FRAMES);
      try {
        const frames = await renderer.renderFrames(batch.map((frame) => frame.motion));
        batch.forEach(({ buffer, resolve }, n) => {
          // Frames of one run share a buffer: each is copied out, so that it can be handed on by itself.
          const frame = frames[n]!;
          if (buffer === null) resolve(frame.slice());
          else {
            buffer.set(frame);
            resolve(buffer);
          }
        });
      } catch (error) {
        for (const { reject } of batch) reject(error);
      }
    }
    running = false;
  };
  return {
    width: renderer.width,
    height: renderer.height,
    render(motion, buffer) {
      return new Promise<Uint8Array>((resolve, reject) => {
        waiting.push({ motion, buffer, resolve, reject });
        void pump();
      });
    },
    close: () => renderer.close(),
  };
}

/**
 * The portrait's frame source for `backend`; the graph's is ready once its onnxruntime session has loaded, on the
 * first of `providers` that loads (null: model-runtime's default).
 */
export function createFrameSource(data: PreparedMeshwarp, backend: RenderBackend, providers: readonly ExecutionProvider[] | null = null): FrameSource | Promise<FrameSource> {
  return backend === 'onnx-graph' ? graphFrameSource(data, providers) : cpuFrameSource(data);
}
