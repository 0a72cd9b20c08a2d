import { createWriteStream, mkdirSync, renameSync, statSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { SuperviseOptions } from '@portrait-farm/process-supervision';
import { exitLine, parseLogLine, terminalLineOf } from './job-event-line.ts';

/** Options of {@link openFarmLogs}. */
export interface FarmLogsOptions {
  /** Lines for a person: one per job event, the errors the processes log, and processes that exit. */
  log: (line: string) => void;
  /** Also gives `log` every line of every process, as `[name] line`. */
  verbose: boolean;
  /** A process's log file larger than this when the farm starts is moved to `{name}.log.1` first. @defaultValue 20 MB */
  rotateBytes?: number;
}

/** The local farm's log files, one per process, and what of them reaches the terminal. */
export interface FarmLogs {
  /** The folder of the files. */
  readonly dir: string;
  /** The file of process `name`: `{dir}/{name}.log`. */
  fileOf(name: string): string;
  /** superviseProcess's `onLine` and `onExit` for process `name`: its lines go to its file (appended), and to `log` as above. */
  of(name: string): Required<Pick<SuperviseOptions, 'onLine' | 'onExit'>>;
  /** Flushes and closes the files; lines that come later are dropped. */
  close(): Promise<void>;
}

/** Moves `path` aside to `path.1` when it has grown past `maxBytes`, so that a farm started again and again keeps its files small. */
function rotate(path: string, maxBytes: number): void {
  try {
    if (statSync(path).size > maxBytes) renameSync(path, `${path}.1`);
  } catch {
    // No file yet.
  }
}

/**
 * Opens the log folder `dir` (created if needed). Each process's output is appended to its own file as it comes (the
 * farm's processes write JSON lines: `jq`, `pino-pretty` or `grep '"jobId":"job_…"'` read them), while `log` gets a
 * readable line for each job event and error in them and for each process that exits on its own, naming its file.
 */
export function openFarmLogs(dir: string, options: FarmLogsOptions): FarmLogs {
  mkdirSync(dir, { recursive: true });
  const streams: WriteStream[] = [];
  const { log, verbose } = options;
  let closed = false;
  const fileOf = (name: string): string => join(dir, `${name}.log`);
  return {
    dir,
    fileOf,
    of(name) {
      const file = fileOf(name);
      rotate(file, options.rotateBytes ?? 20e6);
      const stream = createWriteStream(file, { flags: 'a' });
      let failed = false;
      stream.on('error', (error) => {
        if (!failed) log(`${name}: cannot write ${file}: ${error.message}`);
        failed = true;
      });
      streams.push(stream);
      return {
        onLine(line) {
          if (!closed && !failed) stream.write(`${line}\n`);
          if (verbose) log(`[${name}] ${line}`);
          const entry = parseLogLine(line);
          const shown = entry === null ? null : terminalLineOf(name, entry);
          if (shown !== null) log(shown);
        },
        onExit(how, restartInMs) {
          log(exitLine(name, how, restartInMs, file));
        },
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(streams.map((stream) => new Promise<void>((resolve) => (stream.closed ? resolve() : stream.end(resolve)))));
    },
  };
}
