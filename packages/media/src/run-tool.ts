import { spawn, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { MediaError, type MediaErrorCode } from './errors.ts';

/** The two binaries this package drives; FFMPEG_PATH / FFPROBE_PATH override the names found on PATH. */
export type MediaTool = 'ffmpeg' | 'ffprobe';

const STDERR_TAIL_BYTES = 4096;

export function toolPath(tool: MediaTool): string {
  const fromEnv = tool === 'ffmpeg' ? process.env['FFMPEG_PATH'] : process.env['FFPROBE_PATH'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : tool;
}

/** A spawned ffmpeg/ffprobe with the tail of its stderr kept for error messages. */
export interface ToolProcess {
  readonly child: ChildProcess;
  /** Resolves with the exit code (or null when killed by a signal); rejects only when the binary is missing. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderrTail(): string;
}

export interface SpawnToolOptions {
  /** @defaultValue 'ignore' */
  stdin?: 'pipe' | 'ignore';
  /** Aborting kills the process; `exited` then rejects with MEDIA_ABORTED. @defaultValue null */
  signal?: AbortSignal | null;
  /** Scheduling priority (nice value, -20 to 19; higher yields the CPU to others). @defaultValue the caller's */
  niceness?: number | null;
}

function abortedError(tool: MediaTool, signal: AbortSignal): MediaError {
  const reason: unknown = signal.reason;
  const why = reason instanceof Error ? reason.message : String(reason ?? 'aborted');
  return new MediaError('MEDIA_ABORTED', `${tool} was stopped: ${why}`);
}

export function spawnTool(tool: MediaTool, args: readonly string[], options: SpawnToolOptions = {}): ToolProcess {
  const signal = options.signal ?? null;
  if (signal?.aborted === true) throw abortedError(tool, signal);
  const child = spawn(toolPath(tool), args, { stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'] });
  if (options.niceness != null && child.pid !== undefined) {
    try {
      setPriority(child.pid, options.niceness);
    } catch {
      // Not allowed here (some containers): the process runs at the caller's priority.
    }
  }
  let tail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    tail = (tail + text).slice(-STDERR_TAIL_BYTES);
  });
  const onAbort = (): void => {
    child.kill('SIGKILL');
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      signal?.removeEventListener('abort', onAbort);
      if (error.code === 'ENOENT') {
        reject(new MediaError('MEDIA_FFMPEG_MISSING', `${tool} was not found (${toolPath(tool)}). Install ffmpeg.`));
      } else {
        reject(error);
      }
    });
    child.once('close', (code, exitSignal) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted === true) reject(abortedError(tool, signal));
      else resolve({ code, signal: exitSignal });
    });
  });
  return { child, exited, stderrTail: () => tail.trim() };
}

/** Runs a tool to completion, returning stdout as text; a non-zero exit becomes a MediaError with stderr's tail. */
export async function runTool(
  tool: MediaTool,
  args: readonly string[],
  failure: { code: MediaErrorCode; message: string },
  signal: AbortSignal | null = null,
  niceness: number | null = null,
): Promise<string> {
  const proc = spawnTool(tool, args, { signal, niceness });
  let stdout = '';
  proc.child.stdout?.setEncoding('utf8');
  proc.child.stdout?.on('data', (text: string) => {
    stdout += text;
  });
  const { code, signal: exitSignal } = await proc.exited;
  if (code !== 0) {
    throw new MediaError(failure.code, `${failure.message}: ${describeExit(tool, code, exitSignal, proc.stderrTail())}`);
  }
  return stdout;
}

export function describeExit(
  tool: MediaTool,
  code: number | null,
  signal: NodeJS.Signals | null,
  stderr: string,
): string {
  const how = code === null ? `${tool} was killed by ${signal ?? 'a signal'}` : `${tool} exited with code ${code}`;
  const lastLines = stderr.split('\n').slice(-6).join('\n');
  return lastLines === '' ? how : `${how}: ${lastLines}`;
}
