import { ProcessError } from './errors.ts';
import { describeExit, spawnProcess, withRecentOutput } from './spawn-process.ts';
import type { ChildHandle, SpawnOptions } from './spawn-process.ts';

/** Options of {@link startProcess}. */
export interface StartProcessOptions extends SpawnOptions {
  /**
   * Resolves true once the process is ready (answers on its port, printed its start-up line), false while not yet;
   * polled until `readyTimeoutMs`. Throw to give up at once (e.g. the port answers from another process). Without
   * it the process counts as ready once spawned. @defaultValue none
   */
  ready?: (child: ChildHandle) => Promise<boolean> | boolean;
  /** @defaultValue 20000 */
  readyTimeoutMs?: number;
  /** @defaultValue 100 */
  readyIntervalMs?: number;
  /** Aborting it stops waiting: the process is stopped and the call rejects with PROCESS_ABORTED. @defaultValue none */
  signal?: AbortSignal;
  /** How long a process that failed to become ready gets between SIGTERM and SIGKILL. @defaultValue 2000 */
  failGraceMs?: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `options.ready` until it answers true. Throws PROCESS_EXITED when the process exits first (with its last
 * output), PROCESS_NOT_READY after `readyTimeoutMs`, PROCESS_ABORTED when `signal` aborts, or what `ready` threw.
 */
export async function waitUntilReady(child: ChildHandle, options: StartProcessOptions): Promise<void> {
  const check = options.ready;
  const timeoutMs = options.readyTimeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  if (child.pid === null) await child.exit; // the spawn error comes a tick later
  for (;;) {
    if (child.spawnError !== null) throw new ProcessError('PROCESS_SPAWN_FAILED', `${child.name} ${describeExit(child)}.`);
    if (options.signal?.aborted === true) throw new ProcessError('PROCESS_ABORTED', `Stopped waiting for ${child.name}: ${String(options.signal.reason)}`);
    if (child.exited !== null) throw new ProcessError('PROCESS_EXITED', withRecentOutput(child, `${child.name} ${describeExit(child)} before it was ready.`));
    if (check === undefined || (await check(child))) {
      // A check that passed while the process was exiting (another program answered) does not count.
      if (child.exited === null) return;
      continue;
    }
    if (Date.now() >= deadline) {
      throw new ProcessError('PROCESS_NOT_READY', withRecentOutput(child, `${child.name} did not become ready within ${timeoutMs} ms.`));
    }
    await Promise.race([sleep(options.readyIntervalMs ?? 100), child.exit]);
  }
}

/**
 * Starts a process and waits until it is ready. When it does not become ready (exits, times out, the check throws,
 * `signal` aborts), it is stopped and the call rejects with an error naming it and quoting its last output.
 */
export async function startProcess(options: StartProcessOptions): Promise<ChildHandle> {
  const child = spawnProcess(options);
  try {
    await waitUntilReady(child, options);
    return child;
  } catch (error) {
    await child.stop(options.failGraceMs ?? 2000);
    throw error;
  }
}
