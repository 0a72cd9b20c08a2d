import type { MessagePort } from 'node:worker_threads';
import { createMeshwarpRendererFromPrepared, type MeshwarpRenderer, type PreparedMeshwarp } from '@portrait-farm/renderer';
import { markFrame } from './frame-marks.ts';
import type { RenderReply, RenderRequest } from './render-protocol.ts';

function load(data: PreparedMeshwarp): MeshwarpRenderer | Error {
  try {
    return createMeshwarpRendererFromPrepared(data);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** What a render thread does with the requests arriving on `port` (see render-protocol.ts). */
export function serveRenderRequests(port: MessagePort): void {
  /** Each loaded portrait's renderer, or why it could not be made (reported by its renders, not by a crash). */
  const renderers = new Map<number, MeshwarpRenderer | Error>();
  port.on('message', (request: RenderRequest) => {
    if (request.kind === 'load') {
      renderers.set(request.portrait, load(request.data));
      return;
    }
    if (request.kind === 'unload') {
      renderers.delete(request.portrait);
      return;
    }
    try {
      const renderer = renderers.get(request.portrait);
      if (renderer === undefined) throw new Error(`portrait ${request.portrait} is not loaded in this render thread`);
      if (renderer instanceof Error) throw renderer;
      const frame = renderer.renderFrame(request.motion, request.buffer ?? undefined);
      if (request.marks !== null) markFrame(frame, renderer.width, renderer.height, request.marks, request.index);
      port.postMessage({ call: request.call, index: request.index, frame } satisfies RenderReply, [frame.buffer as ArrayBuffer]);
    } catch (error) {
      port.postMessage({ call: request.call, index: request.index, error: error instanceof Error ? error.message : String(error) } satisfies RenderReply);
    }
  });
}
