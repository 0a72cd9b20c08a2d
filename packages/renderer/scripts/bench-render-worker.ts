/** Worker of bench-render.ts: rebuilds the renderer from posted prepared data and renders the frames it is sent. */
import { parentPort } from 'node:worker_threads';
import { createMeshwarpRendererFromPrepared } from '../src/index.ts';
import type { PreparedMeshwarp } from '../src/index.ts';

interface Job {
  prepared: PreparedMeshwarp;
  motions: Float32Array[];
}

parentPort!.once('message', (job: Job) => {
  const renderer = createMeshwarpRendererFromPrepared(job.prepared);
  const out = new Uint8Array(renderer.width * renderer.height * 3);
  parentPort!.on('message', (frames: number[]) => {
    let checksum = 0;
    for (const f of frames) {
      renderer.renderFrame(job.motions[f]!, out);
      checksum = (checksum + out[(out.length >> 1) + f]!) | 0;
    }
    parentPort!.postMessage(checksum);
  });
  parentPort!.postMessage('ready');
});
