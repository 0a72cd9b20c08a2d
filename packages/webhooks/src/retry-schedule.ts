import { WebhookError } from './errors.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Delays before retry 1, 2, ...: about a day in all, then the delivery is given up. */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = Object.freeze([
  5 * SECOND,
  30 * SECOND,
  2 * MINUTE,
  10 * MINUTE,
  30 * MINUTE,
  1 * HOUR,
  2 * HOUR,
  4 * HOUR,
  8 * HOUR,
  8 * HOUR,
]);

export interface RetryScheduleOptions {
  /**
   * Delay in milliseconds before each retry; its length is the number of retries.
   * @defaultValue DEFAULT_RETRY_SCHEDULE_MS
   */
  scheduleMs?: readonly number[];
  /**
   * Spread as a fraction of the delay: the delay is drawn uniformly from [d(1-j), d(1+j)] so that endpoints
   * recovering from an outage are not hit by every queued message at once. 0 to 1.
   * @defaultValue 0.2
   */
  jitter?: number;
  /**
   * Source of uniform numbers in [0, 1).
   * @defaultValue Math.random
   */
  random?: () => number;
}

/**
 * How long to wait before the next attempt, given how many attempts have failed so far (1 after the first
 * failure), or null when the schedule is exhausted and the delivery should be given up.
 * Depends only on its arguments (pass `random` for reproducible results).
 */
export function nextAttemptDelay(failedAttempts: number, options: RetryScheduleOptions = {}): number | null {
  const schedule = options.scheduleMs ?? DEFAULT_RETRY_SCHEDULE_MS;
  const jitter = options.jitter ?? 0.2;
  const random = options.random ?? Math.random;
  if (!Number.isInteger(failedAttempts) || failedAttempts < 1) {
    throw new WebhookError('WEBHOOK_BAD_OPTION', `failedAttempts must be an integer >= 1. Received: ${String(failedAttempts)}`);
  }
  if (!Number.isFinite(jitter) || jitter < 0 || jitter > 1) {
    throw new WebhookError('WEBHOOK_BAD_OPTION', `jitter must be between 0 and 1. Received: ${String(jitter)}`);
  }
  const base = schedule[failedAttempts - 1];
  if (base === undefined) return null;
  if (!Number.isFinite(base) || base < 0) {
    throw new WebhookError('WEBHOOK_BAD_OPTION', `scheduleMs[${failedAttempts - 1}] must be a delay >= 0. Received: ${String(base)}`);
  }
  return Math.round(base * (1 - jitter + 2 * jitter * random()));
}
