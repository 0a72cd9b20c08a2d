// Plain-JS entry of the benchmark's worker threads: workers do not inherit the parent's TypeScript loader.
import { workerData } from 'node:worker_threads';

const { register } = await import('tsx/esm/api');
register();
await import(workerData.script);
