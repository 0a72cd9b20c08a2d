import { parentPort } from 'node:worker_threads';
import { serveRenderRequests } from './render-service.ts';

if (parentPort === null) throw new Error('render-worker must run in a worker thread');
serveRenderRequests(parentPort);
