import { parentPort, workerData } from 'node:worker_threads';
import { RENDER_BACKENDS, type RenderBackend } from '@portrait-farm/contracts/constants';
import { serveRenderRequests } from './render-service.ts';

if (parentPort === null) throw new Error('render-worker must run in a worker thread');
const requested = (workerData as { data: { backend?: unknown } | null }).data?.backend ?? 'cpu';
if (!(RENDER_BACKENDS as readonly unknown[]).includes(requested)) throw new Error(`render backend must be one of ${RENDER_BACKENDS.join(', ')}, got ${String(requested)}`);
serveRenderRequests(parentPort, requested as RenderBackend);
