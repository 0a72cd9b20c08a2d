import { parentPort, workerData } from 'node:worker_threads';
import { createMeshwarpRendererFromPrepared, type PreparedMeshwarp } from '@portrait-farm/renderer';
import type { RenderReply, RenderRequest } from './render-protocol.ts';

const port = parentPort;
if (port === null) throw new Error('render-worker must run in a worker thread');
const renderer = createMeshwarpRendererFromPrepared((workerData as { data: PreparedMeshwarp }).data);

port.on('message', (request: RenderRequest) => {
  try {
    const frame = renderer.renderFrame(request.motion, request.buffer ?? undefined);
    port.postMessage({ index: request.index, frame } satisfies RenderReply, [frame.buffer as ArrayBuffer]);
  } catch (error) {
    port.postMessage({ index: request.index, error: error instanceof Error ? error.message : String(error) } satisfies RenderReply);
  }
});
