import type { Cluster, Redis } from 'ioredis';
import type { JobStore } from './job-store.ts';

export interface CancelWatcherOptions {
  /** A connection for this watcher alone: it is put in subscriber mode. Closed by `close()`. */
  subscriber: Redis | Cluster;
  store: JobStore;
  /**
   * Also re-read the cancel flag of watched jobs this often, in milliseconds, in case a message was missed
   * (subscriber reconnecting). 0 turns polling off.
   * @defaultValue 2000
   */
  pollMs?: number;
}

/** Gives workers an AbortSignal per job that fires within moments of POST /v1/jobs/{id}/cancel. */
export interface CancelWatcher {
  /** The signal of a job (one shared signal per job while watched); already aborted if the flag is set. */
  signalFor(jobId: string): Promise<AbortSignal>;
  /** Stops watching a job (call when its work ends). */
  release(jobId: string): void;
  close(): Promise<void>;
}

/**
 * Subscribes to the store's cancel channel (the gateway publishes canceled job ids there) and aborts the
 * signals of watched jobs; polls the flag as a fallback.
 */
export async function watchCancellations(options: CancelWatcherOptions): Promise<CancelWatcher> {
  const { subscriber, store } = options;
  const controllers = new Map<string, AbortController>();
  const abort = (jobId: string) => controllers.get(jobId)?.abort(new Error(`Job ${jobId} was canceled.`));
  subscriber.on('message', (_channel: string, jobId: string) => abort(jobId));
  await subscriber.subscribe(store.keys.cancelChannel());
  const pollMs = options.pollMs ?? 2000;
  const timer =
    pollMs > 0
      ? setInterval(() => {
          for (const [jobId, controller] of controllers) {
            if (controller.signal.aborted) continue;
            store.isCancelRequested(jobId).then(
              (canceled) => canceled && abort(jobId),
              () => {},
            );
          }
        }, pollMs)
      : null;
  timer?.unref();
  return {
    async signalFor(jobId: string) {
      let controller = controllers.get(jobId);
      if (controller === undefined) {
        controller = new AbortController();
        controllers.set(jobId, controller);
        if (await store.isCancelRequested(jobId)) abort(jobId);
      }
      return controller.signal;
    },
    release(jobId: string) {
      controllers.delete(jobId);
    },
    async close() {
      if (timer !== null) clearInterval(timer);
      controllers.clear();
      subscriber.disconnect();
    },
  };
}
