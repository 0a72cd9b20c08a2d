import type { RunningWorkers } from './start-workers.ts';

/**
 * Process lifecycle shared by the worker and stitcher entries: on SIGTERM/SIGINT the Workers close (a running
 * step finishes; one that does not finish in `graceMs` is handed back by its lock lapsing), then the process exits.
 */
export function runUntilSignal(name: string, running: RunningWorkers, log: (line: string) => void, graceMs = 120_000): void {
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
