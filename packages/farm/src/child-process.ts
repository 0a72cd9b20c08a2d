import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

/** A child process that is started again when it dies (until `stop()`). */
export interface SupervisedChild {
  readonly name: string;
  /** The current process id, or null between a crash and its restart. */
  readonly pid: number | null;
  /** How many times it was restarted after dying. */
  readonly restarts: number;
  /** SIGTERM, SIGKILL after `graceMs`; no restart. */
  stop(graceMs?: number): Promise<void>;
}

export interface SuperviseOptions {
  name: string;
  command: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Each line of stdout and stderr, prefixed with the name. */
  onLine: (line: string) => void;
  /** Restart when it exits on its own. @defaultValue true */
  restart?: boolean;
}

function forwardLines(stream: NodeJS.ReadableStream | null, emit: (line: string) => void): void {
  if (stream === null) return;
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (text: string) => {
    const lines = (rest + text).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') emit(line);
  });
  stream.on('end', () => {
    if (rest.trim() !== '') emit(rest);
  });
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Starts a child process and restarts it when it crashes, with a growing delay (1 s doubling to 10 s). */
export function superviseChild(options: SuperviseOptions): SupervisedChild {
  let child: ChildProcess | null = null;
  let stopping = false;
  let restarts = 0;
  let failuresInARow = 0;
  let timer: NodeJS.Timeout | null = null;
  const start = (): void => {
    const startedAt = Date.now();
    const proc = spawn(options.command, [...options.args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    forwardLines(proc.stdout, (line) => options.onLine(`[${options.name}] ${line}`));
    forwardLines(proc.stderr, (line) => options.onLine(`[${options.name}] ${line}`));
    proc.on('error', (error) => options.onLine(`[${options.name}] could not start: ${error.message}`));
    proc.on('exit', (code, signal) => {
      if (child === proc) child = null;
      if (stopping || options.restart === false) return;
      failuresInARow = Date.now() - startedAt > 30_000 ? 0 : failuresInARow + 1;
      const delay = Math.min(10_000, 1000 * 2 ** Math.max(0, failuresInARow - 1));
      options.onLine(`[${options.name}] exited (${signal ?? `code ${code}`}); restarting in ${delay} ms`);
      timer = setTimeout(() => {
        timer = null;
        if (stopping) return;
        restarts++;
        start();
      }, delay);
    });
  };
  start();
  return {
    name: options.name,
    get pid() {
      return child?.pid ?? null;
    },
    get restarts() {
      return restarts;
    },
    async stop(graceMs = 15_000) {
      stopping = true;
      if (timer !== null) clearTimeout(timer);
      const proc = child;
      if (proc === null) return;
      proc.kill('SIGTERM');
      if (!(await waitForExit(proc, graceMs))) {
        proc.kill('SIGKILL');
        await waitForExit(proc, 5000);
      }
    },
  };
}
