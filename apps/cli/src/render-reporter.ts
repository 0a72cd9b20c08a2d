import { ENGINE_WARNING_PREFIX, type RenderProgress, type RenderResult } from './engine-contract.ts';
import { formatClock, type OutputStream } from './output-stream.ts';
import { createProgressDisplay, type ProgressDisplayOptions } from './progress-bar.ts';

/** A render failure as the CLI reports it. */
export interface ReportedError {
  code: string;
  message: string;
  stack: string | null;
}

/** Receives everything a render run has to say; one implementation for people, one for programs (--json). */
export interface RenderReporter {
  progress(progress: RenderProgress): void;
  /** An engine log line (only passed on with --verbose). */
  log(line: string): void;
  /** Something the person should know, shown without --verbose too (a downscaled portrait, a doubtful face box). */
  notice(line: string): void;
  /** The render finished; `wallSeconds` is the time the CLI waited for it. */
  done(result: RenderResult, wallSeconds: number): void;
  error(error: ReportedError): void;
}

/** The engine's `log` option: warnings become notices ("Warning: ..."), shown always; other lines only with --verbose. */
export function engineLog(reporter: RenderReporter): (line: string) => void {
  return (line) => {
    if (line.startsWith(ENGINE_WARNING_PREFIX)) reporter.notice(`Warning: ${line.slice(ENGINE_WARNING_PREFIX.length)}`);
    else reporter.log(line);
  };
}

/** Turns anything thrown into a code and a message; errors without a string `code` become UNEXPECTED. */
export function toReportedError(error: unknown): ReportedError {
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : 'UNEXPECTED', message: error.message, stack: error.stack ?? null };
  }
  return { code: 'UNEXPECTED', message: String(error), stack: null };
}

export interface HumanReporterOptions extends ProgressDisplayOptions {
  verbose: boolean;
}

/** Progress on stderr (a bar on terminals), the result summary on stdout, errors on stderr. */
export function createHumanReporter(stdout: OutputStream, stderr: OutputStream, options: HumanReporterOptions): RenderReporter {
  const display = createProgressDisplay(stderr, options);
  return {
    progress: (p) => display.update(p),
    log(line) {
      if (options.verbose) display.note(line);
    },
    notice: (line) => display.note(line),
    done(result, wallSeconds) {
      display.close();
      const took = ` in ${formatClock(wallSeconds)}`;
      stdout.write(
        `Wrote ${result.out}: ${result.frames} frames, ${result.width}x${result.height} at ${result.fps} fps, ` +
          `${result.durationSeconds.toFixed(2)} s of video, provider ${result.provider}${took}\n`,
      );
      if (options.verbose) {
        const timings = Object.entries(result.timings).map(([stage, s]) => `${stage} ${s.toFixed(2)} s`);
        stdout.write(`Timings: ${timings.join(', ')}\n`);
      }
    },
    error(error) {
      display.close();
      stderr.write(`Render failed [${error.code}]: ${error.message}\n`);
      if (options.verbose && error.stack !== null) stderr.write(`${error.stack}\n`);
    },
  };
}
