// Plain-JS entry of inference threads: worker threads do not inherit the TypeScript loader of the parent.
import { workerData } from 'node:worker_threads';

if (workerData.script.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.script);
