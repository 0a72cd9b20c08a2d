import { hostname } from 'node:os';
import { pino } from 'pino';
import type { DestinationStream, Level, Logger } from 'pino';

/** The farm's processes that log JSON lines. */
export type ServiceName = 'gateway' | 'worker' | 'stitcher';

/** Options of {@link createProcessLogger}. */
export interface ProcessLoggerOptions {
  /** The lowest level written. @defaultValue 'info' */
  level?: Level;
  /** Where the lines go. @defaultValue the process's stdout */
  destination?: DestinationStream;
}

/**
 * The pino logger of a farm process: one JSON line per entry on stdout, each with the service name, pid and host,
 * an ISO time and pino's level number (`{"level":30,"time":"...","service":"worker","pid":7,...,"msg":"..."}`).
 * Steps add `jobId`, `tenant`, `segment`, `queue`, `attempt`, durations and `err`; job events add `event`.
 */
export function createProcessLogger(service: ServiceName, options: ProcessLoggerOptions = {}): Logger {
  const settings = {
    level: options.level ?? 'info',
    base: { service, pid: process.pid, hostname: hostname() },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return options.destination === undefined ? pino(settings) : pino(settings, options.destination);
}
