// Plain-JS entry of the benchmark's worker threads: workers do not inherit the parent's TypeScript loader.
import { workerData } from 'node:worker_threads';

await import('@portrait-farm/source-loader/register');
await import(workerData.script);
