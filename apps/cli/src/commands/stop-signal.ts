import type { CliIo } from './command.ts';

/** Signals that stop a long-running command as Ctrl-C does (SIGINT itself arrives through `io.interrupt`). */
const STOP_SIGNALS = Object.freeze({ SIGTERM: 15, SIGHUP: 1 } as const);

/** Where the signals come from and how the process exits at once: `process` outside tests. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
  exit(code: number): void;
}

export interface StopSignal {
  /** Aborted by Ctrl-C, SIGTERM or SIGHUP, with the reason naming which. */
  signal: AbortSignal;
  /** Removes the signal handlers (the default actions apply again). */
  dispose(): void;
}

/**
 * An AbortSignal for a command that runs until it is told to stop (`up`, `demo`): aborted by the user's Ctrl-C
 * (`io.interrupt`) or by SIGTERM or SIGHUP (a service manager, `kill`, a closed terminal), so that the command stops
 * its farm and removes its files instead of the process ending at once and leaving them behind. A second SIGTERM or
 * SIGHUP while it stops exits at once (the farm's guard process still stops what it started).
 */
export function stopSignal(io: CliIo, source: SignalSource = process): StopSignal {
  const controller = new AbortController();
  const onInterrupt = (): void => controller.abort(new Error('Interrupted by the user'));
  if (io.interrupt?.aborted === true) onInterrupt();
  io.interrupt?.addEventListener('abort', onInterrupt, { once: true });
  const handlers = Object.entries(STOP_SIGNALS).map(([name, number]) => {
    const signal = name as NodeJS.Signals;
    const handler = (): void => {
      if (controller.signal.aborted) source.exit(128 + number);
      else controller.abort(new Error(`Stopped by ${signal}`));
    };
    source.on(signal, handler);
    return { signal, handler };
  });
  return {
    signal: controller.signal,
    dispose() {
      io.interrupt?.removeEventListener('abort', onInterrupt);
      for (const { signal, handler } of handlers) source.off(signal, handler);
    },
  };
}

/** Resolves when the signal aborts. */
export function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
