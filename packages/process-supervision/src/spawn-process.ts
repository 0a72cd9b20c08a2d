import { spawn } from 'node:child_process';
import type { ProcessGuard } from './process-guard.ts';
import { sendSignal } from './process-alive.ts';

/** How a process ended: its exit code, or the signal that ended it. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Options of {@link spawnProcess}; also taken by `startProcess` and `superviseProcess`. */
export interface SpawnOptions {
  /** Names the process in error messages and notices. */
  name: string;
  command: string;
  /** @defaultValue [] */
  args?: readonly string[];
  /** @defaultValue the current directory */
  cwd?: string;
  /** @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
  /** Each non-empty line the process writes to stdout or stderr. @defaultValue lines are only kept */
  onLine?: (line: string) => void;
  /** How many of its last lines are kept for error messages ({@link ChildHandle.recentLines}). @defaultValue 30 */
  keepLines?: number;
  /**
   * Runs it in a process group of its own: a terminal's Ctrl-C or a signal to the parent's group reaches only the
   * parent, which stops its children in order; SIGKILL then reaches what the process itself started. @defaultValue false
   */
  detached?: boolean;
  /** A guard that stops the process if this one dies without stopping it (see `startProcessGuard`). @defaultValue none */
  guard?: ProcessGuard | null;
  /** Order in which the guard stops it: lower stages first (e.g. 0 for the app processes, 1 for their database). @defaultValue 0 */
  guardStage?: number;
}

/** A spawned child process. */
export interface ChildHandle {
  readonly name: string;
  /** Null when the program could not be started. */
  readonly pid: number | null;
  /** Resolves when the process has exited (at once, with code and signal null, when it could not be started). */
  readonly exit: Promise<ProcessExit>;
  /** How it exited, or null while it runs. */
  readonly exited: ProcessExit | null;
  /** Why it could not be started (ENOENT, EACCES), or null. */
  readonly spawnError: Error | null;
  /** Its last lines of output, oldest first. */
  recentLines(): readonly string[];
  /** SIGTERM; SIGKILL (to its group when detached) if it has not exited after `graceMs`. Resolves with how it exited. */
  stop(graceMs?: number): Promise<ProcessExit>;
}

/** "exited with code 1", "was ended by SIGKILL", "could not be started: spawn x ENOENT". */
export function describeExit(child: Pick<ChildHandle, 'exited' | 'spawnError'>): string {
  if (child.spawnError !== null) return `could not be started: ${child.spawnError.message}`;
  const exit = child.exited;
  if (exit === null) return 'is running';
  return exit.signal !== null ? `was ended by ${exit.signal}` : `exited with code ${String(exit.code)}`;
}

/** `name` and its last lines of output, for an error message. */
export function withRecentOutput(child: ChildHandle, message: string): string {
  const lines = child.recentLines();
  return lines.length === 0 ? `${message} It printed nothing.` : `${message} Its last output:\n  ${lines.join('\n  ')}`;
}

function forwardLines(stream: NodeJS.ReadableStream | null, emit: (line: string) => void): void {
  if (stream === null) return;
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (text: string) => {
    const lines = (rest + text).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') emit(line.trimEnd());
  });
  stream.on('end', () => {
    if (rest.trim() !== '') emit(rest.trimEnd());
  });
}

function timeout(ms: number): Promise<'timeout'> {
  return new Promise((resolve) => setTimeout(() => resolve('timeout'), ms).unref());
}

/**
 * Starts a process with its output read line by line (forwarded and the last lines kept), registered with the
 * guard while it runs. Waits for nothing: see `startProcess` for a readiness check, `superviseProcess` for restarts.
 */
export function spawnProcess(options: SpawnOptions): ChildHandle {
  const keep = options.keepLines ?? 30;
  const detached = options.detached ?? false;
  const lines: string[] = [];
  const onLine = (line: string): void => {
    lines.push(line);
    if (lines.length > keep) lines.shift();
    options.onLine?.(line);
  };
  const proc = spawn(options.command, [...(options.args ?? [])], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached,
  });
  const pid = proc.pid ?? null;
  let exited: ProcessExit | null = null;
  let spawnError: Error | null = null;
  const exit = new Promise<ProcessExit>((resolve) => {
    proc.once('exit', (code, signal) => {
      exited = { code, signal };
      options.guard?.forget(pid ?? -1);
      // Whatever it started and left behind in its group goes with it.
      if (detached && pid !== null) sendSignal(pid, 'SIGKILL', true);
      resolve(exited);
    });
    proc.once('error', (error) => {
      if (pid !== null) return; // a failed kill(); the 'exit' event still comes
      spawnError = error;
      exited = { code: null, signal: null };
      resolve(exited);
    });
  });
  forwardLines(proc.stdout, onLine);
  forwardLines(proc.stderr, onLine);
  if (pid !== null) options.guard?.watch(pid, { stage: options.guardStage ?? 0, group: detached });
  return {
    name: options.name,
    pid,
    exit,
    get exited() {
      return exited;
    },
    get spawnError() {
      return spawnError;
    },
    recentLines: () => [...lines],
    async stop(graceMs = 10_000) {
      if (exited !== null || pid === null) return exit;
      proc.kill('SIGTERM');
      if ((await Promise.race([exit, timeout(graceMs)])) === 'timeout') {
        if (!detached || !sendSignal(pid, 'SIGKILL', true)) proc.kill('SIGKILL');
      }
      return exit;
    },
  };
}
