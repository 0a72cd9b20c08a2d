import type { Worker } from 'node:worker_threads';
import { siblingScript, startModuleWorker } from '@portrait-farm/model-runtime';
import type { PreparedMeshwarp } from '@portrait-farm/renderer';
import { EngineError } from './errors.ts';
import type { RenderReply, RenderRequest } from './render-protocol.ts';

/** Render threads for one portrait: frames go out in any order and come back in the order asked for. */
export interface RenderPool {
  /**
   * Renders `frameCount` frames, the motion of frame i being `motionOf(i)`, and hands each frame to `consume` in
   * order; `consume` may be async (backpressure from the encoder). The frame buffer is reused after `consume`.
   */
  renderFrames(
    frameCount: number,
    motionOf: (index: number) => Float32Array,
    consume: (frame: Uint8Array, index: number) => Promise<void> | void,
    signal?: AbortSignal | null,
  ): Promise<void>;
  close(): Promise<void>;
}

interface Slot {
  worker: Worker;
  pending: number;
}

/** Frames queued per thread, so a thread never waits for the main thread between frames. */
const QUEUED_PER_THREAD = 2;

export async function createRenderPool(prepared: PreparedMeshwarp, threads: number): Promise<RenderPool> {
  const script = siblingScript(import.meta.url, 'render-worker');
  const slots: Slot[] = Array.from({ length: threads }, () => ({ worker: startModuleWorker(script, prepared), pending: 0 }));
  let closed = false;

  async function renderFrames(
    frameCount: number,
    motionOf: (index: number) => Float32Array,
    consume: (frame: Uint8Array, index: number) => Promise<void> | void,
    signal: AbortSignal | null = null,
  ): Promise<void> {
    const ready = new Map<number, Uint8Array>();
    const spare: Uint8Array[] = [];
    let next = 0;
    let emitted = 0;

    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (error: Error): void => {
        if (failed) return;
        failed = true;
        cleanup();
        reject(error);
      };
      const onAbort = (): void => fail(new EngineError('ENGINE_CANCELED', 'The render was canceled.'));
      const handlers = slots.map((slot) => {
        const onMessage = (reply: RenderReply): void => {
          slot.pending--;
          if ('error' in reply) return fail(new EngineError('ENGINE_RENDER_THREAD_DIED', `Frame ${reply.index}: ${reply.error}`));
          ready.set(reply.index, reply.frame);
          void drain();
        };
        const onError = (error: Error): void => fail(new EngineError('ENGINE_RENDER_THREAD_DIED', `A render thread failed: ${error.message}`));
        slot.worker.on('message', onMessage);
        slot.worker.on('error', onError);
        return { slot, onMessage, onError };
      });
      const cleanup = (): void => {
        signal?.removeEventListener('abort', onAbort);
        for (const h of handlers) {
          h.slot.worker.off('message', h.onMessage);
          h.slot.worker.off('error', h.onError);
        }
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort);

      let draining = false;
      const drain = async (): Promise<void> => {
        if (draining || failed) return;
        draining = true;
        try {
          while (ready.has(emitted)) {
            const frame = ready.get(emitted)!;
            ready.delete(emitted);
            await consume(frame, emitted);
            spare.push(frame);
            emitted++;
            if (failed) return;
          }
        } catch (error) {
          return fail(error instanceof Error ? error : new Error(String(error)));
        } finally {
          draining = false;
        }
        if (emitted === frameCount) {
          cleanup();
          resolve();
          return;
        }
        dispatch();
      };
      const dispatch = (): void => {
        for (const slot of slots) {
          while (!failed && next < frameCount && slot.pending < QUEUED_PER_THREAD && ready.size < threads * 4) {
            const index = next++;
            const buffer = spare.pop() ?? null;
            const request: RenderRequest = { index, motion: motionOf(index), buffer };
            slot.pending++;
            slot.worker.postMessage(request, buffer === null ? [] : [buffer.buffer as ArrayBuffer]);
          }
        }
      };
      if (frameCount === 0) {
        cleanup();
        resolve();
        return;
      }
      dispatch();
    });
  }

  return {
    renderFrames,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}
