// Plain-JS entry of inference threads: worker threads do not inherit the TypeScript loader of the parent. A .ts
// script means development: register tsx and the source condition (@portrait-farm/source-loader) first.
import { workerData } from 'node:worker_threads';

if (workerData.script.endsWith('.ts')) await import('@portrait-farm/source-loader/register');
await import(workerData.script);
