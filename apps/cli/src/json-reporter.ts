import type { RenderProgress, RenderResult } from './engine-contract.ts';
import type { OutputStream } from './output-stream.ts';
import type { RenderReporter, ReportedError } from './render-reporter.ts';

/** Options of {@link createJsonReporter}. */
export interface JsonReporterOptions {
  /**
   * Least milliseconds between progress events of one stage; stage changes and a stage's last step always go out.
   * @defaultValue 250
   */
  intervalMs?: number;
  /** Include `log` events and error stacks. */
  verbose: boolean;
  /**
   * Clock in milliseconds.
   * @defaultValue performance.now
   */
  now?: () => number;
}

/** One JSON object per line on `stream`: `progress`, `log`, `notice`, `done` and `error` events. */
export function createJsonReporter(stream: OutputStream, options: JsonReporterOptions): RenderReporter {
  const now = options.now ?? (() => performance.now());
  const interval = options.intervalMs ?? 250;
  let lastStage: string | null = null;
  let lastSent = Number.NEGATIVE_INFINITY;
  const emit = (event: Record<string, unknown>): void => {
    stream.write(`${JSON.stringify(event)}\n`);
  };
  return {
    progress(p: RenderProgress) {
      const t = now();
      const last = p.total > 0 && p.done >= p.total;
      if (p.stage !== lastStage || last || t - lastSent >= interval) {
        emit({ event: 'progress', ...p });
        lastStage = p.stage;
        lastSent = t;
      }
    },
    log(line: string) {
      if (options.verbose) emit({ event: 'log', line });
    },
    notice(line: string) {
      emit({ event: 'notice', line });
    },
    done(result: RenderResult, wallSeconds: number) {
      emit({ event: 'done', ...result, wallSeconds: Math.round(wallSeconds * 1000) / 1000 });
    },
    error(error: ReportedError) {
      emit({
        event: 'error',
        code: error.code,
        message: error.message,
        ...(options.verbose && error.stack !== null ? { stack: error.stack } : {}),
      });
    },
  };
}
