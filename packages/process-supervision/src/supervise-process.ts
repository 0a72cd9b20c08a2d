import { describeExit, spawnProcess } from './spawn-process.ts';
import type { ChildHandle } from './spawn-process.ts';
import { startProcess } from './start-process.ts';
import type { StartProcessOptions } from './start-process.ts';

/** Options of {@link superviseProcess}. */
export interface SuperviseOptions extends StartProcessOptions {
  /** Start it again when it exits on its own. @defaultValue true */
  restart?: boolean;
  /** Each exit it was not asked for, with the delay before the restart (null: no restart). @defaultValue none */
  onExit?: (how: string, restartInMs: number | null) => void;
}

/** A child process that is started again when it dies (until `stop()`). */
export interface SupervisedProcess {
  readonly name: string;
  /** The current process id, or null between a crash and its restart. */
  readonly pid: number | null;
  /** How many times it was restarted after dying. */
  readonly restarts: number;
  /** SIGTERM, SIGKILL after `graceMs` (default 10 s); no restart after it. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts a process, waits until it is ready (as `startProcess`; a first start that fails rejects), then restarts it
 * whenever it exits on its own, after a growing delay (1 s doubling to 10 s; back to 1 s once a run lasted 30 s).
 * Restarts are not waited for.
 */
export async function superviseProcess(options: SuperviseOptions): Promise<SupervisedProcess> {
  let child: ChildHandle = await startProcess(options);
  let stopping = false;
  let restarts = 0;
  let failuresInARow = 0;
  let timer: NodeJS.Timeout | null = null;
  const watch = (current: ChildHandle, startedAt: number): void => {
    void current.exit.then(() => {
      if (stopping) return;
      const how = describeExit(current);
      if (options.restart === false) {
        options.onExit?.(how, null);
        return;
      }
      failuresInARow = Date.now() - startedAt > 30_000 ? 0 : failuresInARow + 1;
      const delay = Math.min(10_000, 1000 * 2 ** Math.max(0, failuresInARow - 1));
      options.onExit?.(how, delay);
      timer = setTimeout(() => {
        timer = null;
        if (stopping) return;
        restarts++;
        child = spawnProcess(options);
        watch(child, Date.now());
      }, delay);
    });
  };
  watch(child, Date.now());
  return {
    name: options.name,
    get pid() {
      return child.exited === null ? child.pid : null;
    },
    get restarts() {
      return restarts;
    },
    async stop(graceMs?: number) {
      stopping = true;
      if (timer !== null) clearTimeout(timer);
      await child.stop(graceMs);
    },
  };
}
