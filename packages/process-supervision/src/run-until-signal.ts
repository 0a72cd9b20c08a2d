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
 * exits, 0 after a clean close and 1 otherwise. `running` may still be starting (the worker loads its engine for
 * seconds): a signal then stops it once it has started, instead of killing it half-started (its scratch folder, its
 * heartbeat and its connections left behind). A start that fails is the entry's own error to report.
 */
export function runUntilSignal(name: string, running: Closable | Promise<Closable>, log: (line: string) => void, graceMs = STOP_GRACE_MS): void {
  const started = Promise.resolve(running);
  let isStarted = false;
  started.then(
    () => (isStarted = true),
    () => {},
  );
  let closing = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (closing) return;
      closing = true;
      log(isStarted ? `${name}: ${signal}, finishing the current step` : `${name}: ${signal} while starting; stopping once started`);
      const timer = setTimeout(() => {
        log(`${name}: still busy after ${graceMs} ms, exiting`);
        process.exit(1);
      }, graceMs);
      timer.unref();
      started
        .then((stoppable) => stoppable.close())
        .then(
          () => process.exit(0),
          (error: Error) => {
            log(`${name}: ${isStarted ? 'close' : 'start'} failed: ${error.message}`);
            process.exit(1);
          },
        );
    });
  }
}
