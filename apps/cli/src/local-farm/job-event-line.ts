import { isJobEventName } from '@portrait-farm/logging/job-events';
import type { JobEventDetails, JobEventName } from '@portrait-farm/logging/job-events';

// What `portrait-farm up` and `demo` print of the farm processes' JSON log lines: one readable line per job event
// (`@portrait-farm/logging/job-events`), the errors a process logged, and the processes that exit and restart.
// Everything else stays in the log files.

/** One entry of a farm process's log: a JSON object per line (pino). */
export type LogEntry = Readonly<Record<string, unknown>>;

/** pino's level of `error` entries; `fatal` is above it. */
const ERROR_LEVEL = 50;

/** The entry a line holds, or null when the line is not a JSON object (a stack trace, redis-server's own output). */
export function parseLogLine(line: string): LogEntry | null {
  if (!line.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as LogEntry) : null;
  } catch {
    return null;
  }
}

/** HH:MM:SS of `time` on this machine's clock. */
export function clockTime(time: Date): string {
  return [time.getHours(), time.getMinutes(), time.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** Milliseconds as "0.9 s", "61.2 s". */
function seconds(ms: unknown): string {
  return typeof ms === 'number' ? `${(ms / 1000).toFixed(1)} s` : '? s';
}

/** Bytes as "812 B", "96 kB", "1.4 MB". */
export function byteSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${Math.round(bytes / 1000)} kB`;
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function plural(n: unknown, one: string, many: string): string {
  return `${String(n)} ${n === 1 ? one : many}`;
}

function messageOf(err: unknown): string {
  return typeof err === 'object' && err !== null && 'message' in err ? String(err.message) : String(err);
}

/** The fields of event `E` as read from a line: any of them may be missing from what another version wrote. */
type Read<E extends JobEventName> = Partial<JobEventDetails[E]> & { tenant?: unknown };

/** What happened, for a person: "prepared: 3 segments, 500 frames in 1.2 s"; null when the entry is no job event. */
export function jobEventText(entry: LogEntry): string | null {
  const name = entry['event'];
  if (!isJobEventName(name)) return null;
  switch (name) {
    case 'job.created': {
      const e = entry as Read<'job.created'>;
      return typeof e.tenant === 'string' ? `accepted (tenant ${e.tenant})` : 'accepted';
    }
    case 'job.prepared': {
      const e = entry as Read<'job.prepared'>;
      return `prepared: ${plural(e.segments, 'segment', 'segments')}, ${plural(e.frames, 'frame', 'frames')} in ${seconds(e.durationMs)}`;
    }
    case 'segment.rendered': {
      const e = entry as Read<'segment.rendered'>;
      return `segment ${typeof e.segment === 'number' ? e.segment + 1 : '?'}/${String(e.segments)} rendered in ${seconds(e.durationMs)}`;
    }
    case 'job.succeeded': {
      const e = entry as Read<'job.succeeded'>;
      const video = typeof e.videoSeconds === 'number' ? `${e.videoSeconds.toFixed(1)} s of video` : 'video';
      const size = typeof e.bytes === 'number' ? byteSize(e.bytes) : '? MB';
      return `succeeded: ${video}, ${size}, in ${seconds(e.jobMs)}`;
    }
    case 'job.failed': {
      const e = entry as Read<'job.failed'>;
      return `failed: ${String(e.err?.code ?? e.code)}: ${messageOf(e.err?.message ?? '')}`;
    }
    case 'job.canceled':
      return 'canceled';
    case 'step.retried': {
      const e = entry as Read<'step.retried'>;
      const step = typeof e.segment === 'number' ? `segment ${e.segment + 1}` : `${String(e.queue)} step`;
      return `${step} failed (attempt ${String(e.attempt)} of ${String(e.attempts)}), retrying: ${messageOf(e.err)}`;
    }
  }
}

function timeOf(entry: LogEntry): Date {
  const time = entry['time'];
  const date = typeof time === 'string' || typeof time === 'number' ? new Date(time) : new Date(NaN);
  return Number.isNaN(date.getTime()) ? new Date() : date;
}

/**
 * The terminal's line for an entry that process `name` logged: a job event ("12:00:03  job_…  segment 2/3 rendered
 * in 0.9 s"), or an error it logged ("12:00:03  worker-1  error: queue worker error: Connection is closed."); null
 * for everything else.
 */
export function terminalLineOf(name: string, entry: LogEntry): string | null {
  const text = jobEventText(entry);
  if (text !== null) return `${clockTime(timeOf(entry))}  ${String(entry['jobId'])}  ${text}`;
  const level = entry['level'];
  if (typeof level !== 'number' || level < ERROR_LEVEL) return null;
  const err = entry['err'] === undefined ? '' : `: ${messageOf(entry['err'])}`;
  const job = typeof entry['jobId'] === 'string' ? ` (${entry['jobId']})` : '';
  return `${clockTime(timeOf(entry))}  ${name}  error${job}: ${String(entry['msg'] ?? '')}${err}`;
}

/** The terminal's line for a process that exited on its own: "12:00:03  worker-1  exited with code 1; restarting in 1 s (log: …)". */
export function exitLine(name: string, how: string, restartInMs: number | null, logFile: string, now: Date = new Date()): string {
  const next = restartInMs === null ? '' : `; restarting in ${seconds(restartInMs)}`;
  return `${clockTime(now)}  ${name}  ${how}${next} (log: ${logFile})`;
}
