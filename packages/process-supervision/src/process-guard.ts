import { spawn } from 'node:child_process';
import { Socket } from 'node:net';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcessError } from './errors.ts';

/** Options of {@link startProcessGuard}. */
export interface ProcessGuardOptions {
  /** Between SIGTERM and SIGKILL when the guard stops the processes of a parent that died. @defaultValue 5000 */
  graceMs?: number;
  /** Longest wait for the guard process to start. @defaultValue 20000 */
  startTimeoutMs?: number;
}

/** How the guard stops one process. */
export interface GuardedProcess {
  /** Lower stages are stopped (and gone) before higher ones. @defaultValue 0 */
  stage?: number;
  /** The process leads a process group of its own (spawned detached): SIGKILL goes to the whole group. @defaultValue false */
  group?: boolean;
}

/**
 * A small process that stops this process's children if this process dies without stopping them (SIGKILL, a crash,
 * an exit that skipped its clean-up). It holds the read end of a pipe from this process; the kernel closes the write
 * end when this process ends, however it ends, and the guard then sends SIGTERM to every process still registered
 * (stage by stage; SIGKILL after the grace period), removes the registered files, and exits. A pipe is used rather
 * than polling the parent's pid: its end is seen at once, cannot be confused by pid reuse, and needs nothing from
 * the children (redis-server cannot watch its parent).
 */
export interface ProcessGuard {
  /** The guard's own pid. */
  readonly pid: number;
  /** Registers a running child. */
  watch(pid: number, how?: GuardedProcess): void;
  /** The child has exited (or was stopped by this process). */
  forget(pid: number): void;
  /** A file to delete after the children are stopped, only if it still holds `ifContent` when given. */
  removeFileOnOrphan(path: string, ifContent?: string): void;
  /** This process stopped its children itself: the guard exits without doing anything. */
  close(): Promise<void>;
}

/** One line of the pipe from the parent to the guard. */
export type GuardMessage =
  | { op: 'watch'; pid: number; stage: number; group: boolean }
  | { op: 'forget'; pid: number }
  | { op: 'file'; path: string; ifContent: string | null }
  | { op: 'release' };

/** The guard's entry file beside this one, run through tsx when this is TypeScript source. */
function guardCommand(): { args: string[]; cwd: string } {
  const self = fileURLToPath(import.meta.url);
  const ext = extname(self);
  const main = join(dirname(self), `process-guard-main${ext}`);
  return { args: [...(ext === '.ts' ? ['--conditions=portrait-farm-source', '--import', 'tsx'] : []), main], cwd: dirname(main) };
}

/** Starts the guard process and resolves once it reads its pipe. */
export async function startProcessGuard(options: ProcessGuardOptions = {}): Promise<ProcessGuard> {
  const graceMs = options.graceMs ?? 5000;
  const startTimeoutMs = options.startTimeoutMs ?? 20_000;
  const { args, cwd } = guardCommand();
  // Its own process group, so that a terminal's Ctrl-C does not make it clean up while this process stops in order.
  const child = spawn(process.execPath, [...args, String(graceMs)], { cwd, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  let output = '';
  const started = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), startTimeoutMs);
    const collect = (data: Buffer): void => {
      output += data.toString('utf8');
      if (/^ready$/m.test(output)) {
        clearTimeout(timer);
        resolve(true);
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
  if (!started) {
    child.kill('SIGKILL');
    throw new ProcessError('PROCESS_NOT_READY', `The process guard did not start within ${startTimeoutMs} ms: ${output.trim() || 'no output'}`);
  }
  child.stdin.on('error', () => {}); // EPIPE once the guard has gone; nothing is left to tell it
  // The guard never keeps this process alive by itself.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) if (stream instanceof Socket) stream.unref();
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const send = (message: GuardMessage): void => {
    if (child.stdin.writable) child.stdin.write(`${JSON.stringify(message)}\n`);
  };
  return {
    pid: child.pid!,
    watch(pid, how = {}) {
      send({ op: 'watch', pid, stage: how.stage ?? 0, group: how.group ?? false });
    },
    forget(pid) {
      send({ op: 'forget', pid });
    },
    removeFileOnOrphan(path, ifContent) {
      send({ op: 'file', path, ifContent: ifContent ?? null });
    },
    async close() {
      send({ op: 'release' });
      child.stdin.end();
      // Waiting for it keeps this process alive until it has gone (at most 5 s).
      child.ref();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 5000)))]);
      clearTimeout(timer);
    },
  };
}
