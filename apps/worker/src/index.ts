// The worker process's wiring, for tests and benchmarks that run it in-process; main.ts is the process entry.
export { startRenderWorkers } from './start-render-workers.ts';
export type { RenderWorkersOptions } from './start-render-workers.ts';
