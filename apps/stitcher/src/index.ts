// The stitcher process's wiring, for tests and benchmarks that run it in-process; main.ts is the process entry.
export { startStitcherWorkers } from './start-stitcher-workers.ts';
export type { StitcherWorkersOptions } from './start-stitcher-workers.ts';
