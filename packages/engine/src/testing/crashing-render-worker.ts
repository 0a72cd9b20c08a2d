import { parentPort } from 'node:worker_threads';
import type { RenderRequest } from '../render-protocol.ts';
import { serveRenderRequests } from '../render-service.ts';
import { CRASH_MOTION_VALUE } from './crash-motion.ts';

// A render thread for tests: it dies (exit code 3) when asked to render a frame whose first channel is CRASH_MOTION_VALUE.

if (parentPort === null) throw new Error('crashing-render-worker must run in a worker thread');
parentPort.on('message', (request: RenderRequest) => {
  if (request.kind === 'render' && request.motion[0] === CRASH_MOTION_VALUE) process.exit(3);
});
serveRenderRequests(parentPort);
