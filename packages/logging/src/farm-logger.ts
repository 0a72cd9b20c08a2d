/**
 * The fields of one log entry: plain JSON values, numbers as numbers (`durationMs: 1234`, not "1.2 s"), and an error
 * under `err` (pino writes its type, message, stack and code).
 */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * What the farm's libraries log through: one structured entry per call, its fields and a short message. A pino
 * Logger is one (createProcessLogger); tests pass a recording one (`@portrait-farm/logging/testing`).
 */
export interface FarmLogger {
  info(fields: LogFields, msg: string): void;
  warn(fields: LogFields, msg: string): void;
  error(fields: LogFields, msg: string): void;
}

/** A logger that drops everything: the default where a caller gives none. */
export const silentLogger: FarmLogger = Object.freeze({
  info: (): void => {},
  warn: (): void => {},
  error: (): void => {},
});

/** A `(line) => void` callback of a library that logs plain lines (the engine, the webhook worker), as entries of `logger`. */
export function lineLogger(logger: FarmLogger, fields: LogFields = {}, level: 'info' | 'warn' | 'error' = 'info'): (line: string) => void {
  return (line) => logger[level](fields, line);
}
