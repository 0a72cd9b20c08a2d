import type { RenderBackend } from '@portrait-farm/contracts';
import { createMeshwarpRendererFromPrepared, type PreparedMeshwarp } from '@portrait-farm/renderer';
import { createGraphRendererFromPrepared } from '@portrait-farm/renderer/graph';

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

/** The graph renderer, one frame per run (the render pool asks for frames one at a time), runs chained. */
async function graphFrameSource(data: PreparedMeshwarp): Promise<FrameSource> {
  const renderer = await createGraphRendererFromPrepared(data);
  let previous: Promise<unknown> = Promise.resolve();
  return {
    width: renderer.width,
    height: renderer.height,
    render(motion, buffer) {
      const frame = previous.catch(() => {}).then(async () => {
        const [rendered] = await renderer.renderFrames([motion]);
        if (buffer === null) return rendered!;
        buffer.set(rendered!);
        return buffer;
      });
      previous = frame;
      return frame;
    },
    close: () => renderer.close(),
  };
}

/** The portrait's frame source for `backend`; the graph's is ready once its onnxruntime session has loaded. */
export function createFrameSource(data: PreparedMeshwarp, backend: RenderBackend): FrameSource | Promise<FrameSource> {
  return backend === 'onnx-graph' ? graphFrameSource(data) : cpuFrameSource(data);
}
