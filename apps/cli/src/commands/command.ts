import type { EnvironmentSource } from '@portrait-farm/config';
import type { OutputStream } from '../output-stream.ts';

/** What a command may touch: its output streams, the working directory and a clock. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Relative paths in arguments are resolved against this folder. */
  cwd: string;
  /** Milliseconds; performance.now in production. */
  now: () => number;
  /** Aborted when the user interrupts (Ctrl-C); long commands stop and clean up. */
  interrupt?: AbortSignal;
  /** The environment commands read their configuration from (through @portrait-farm/config). @defaultValue process.env */
  env?: EnvironmentSource;
}

/** Exit codes: 0 success, 1 the work failed, 2 the command line was wrong. */
export const EXIT = Object.freeze({ ok: 0, failed: 1, usage: 2 });

/** One sub-command (`portrait-farm NAME ...`). */
export interface CliCommand {
  name: string;
  /** One line for the command list. */
  summary: string;
  usage: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(argv: readonly string[], io: CliIo): Promise<number>;
}
