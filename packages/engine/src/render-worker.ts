import { parentPort, workerData } from 'node:worker_threads';
import { RENDER_BACKENDS, type RenderBackend } from '@portrait-farm/contracts/constants';
import type { ExecutionProvider } from '@portrait-farm/model-runtime';
import { serveRenderRequests } from './render-service.ts';

if (parentPort === null) throw new Error('render-worker must run in a worker thread');
const data = (workerData as { data: { backend?: unknown; warmUp?: unknown; providers?: unknown } | null }).data;
const requested = data?.backend ?? 'cpu';
if (!(RENDER_BACKENDS as readonly unknown[]).includes(requested)) throw new Error(`render backend must be one of ${RENDER_BACKENDS.join(', ')}, got ${String(requested)}`);
const providers = data?.providers ?? null;
if (providers !== null && !(Array.isArray(providers) && providers.every((p) => typeof p === 'string'))) throw new Error(`render thread providers must be a list of names, got ${String(providers)}`);
// The first frame sent back detaches its buffer (a transfer), and V8 then throws away all the code it has optimised
// so far that reads typed arrays (it skips a check that only matters once some buffer was detached). Detach one now,
// before anything is optimised, instead of recompiling the renderer's first optimised functions after frame one.
const spare = new ArrayBuffer(0);
structuredClone(spare, { transfer: [spare] });
serveRenderRequests(parentPort, requested as RenderBackend, { warmUp: data?.warmUp === true, providers: providers as ExecutionProvider[] | null });
