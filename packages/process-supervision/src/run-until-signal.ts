/** What {@link runUntilSignal} stops: a process's running work (the worker's and the stitcher's step Workers). */
export interface Closable {
  /** Lets running work finish (or hands it back), then releases connections and resources. */
  close(): Promise<void>;
}

/**
 * How long a closing process lets its running steps finish before it exits anyway. Container stop periods (the
 * Kubernetes manifests' terminationGracePeriodSeconds) are sized from it.
 */
export const STOP_GRACE_MS = 120_000;

/**
 * Process lifecycle of a long-running entry (the worker and the stitcher): on SIGTERM/SIGINT `running` is closed (a
 * running step finishes; one that does not finish in `graceMs` is handed back by its lock lapsing), then the process
 * exits, 0 after a clean close and 1 otherwise.
 */
export function runUntilSignal(name: string, running: Closable, log: (line: string) => void, graceMs = STOP_GRACE_MS): void {
  let closing = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (closing) return;
      closing = true;
      log(`${name}: ${signal}, finishing the current step`);
      const timer = setTimeout(() => {
        log(`${name}: still busy after ${graceMs} ms, exiting`);
        process.exit(1);
      }, graceMs);
      timer.unref();
      running.close().then(
        () => process.exit(0),
        (error: Error) => {
          log(`${name}: close failed: ${error.message}`);
          process.exit(1);
        },
      );
    });
  }
}
