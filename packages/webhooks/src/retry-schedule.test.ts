import { describe, expect, it } from 'vitest';
import { WEBHOOK_ERRORS, WebhookError } from './errors.ts';
import { DEFAULT_RETRY_SCHEDULE_MS, nextAttemptDelay } from './retry-schedule.ts';

describe('nextAttemptDelay', () => {
  it('follows the default schedule and then gives up', () => {
    const middle = () => 0.5;
    expect(DEFAULT_RETRY_SCHEDULE_MS.map((_, i) => nextAttemptDelay(i + 1, { random: middle }))).toEqual([
      5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000, 28_800_000, 28_800_000,
    ]);
    expect(nextAttemptDelay(DEFAULT_RETRY_SCHEDULE_MS.length + 1)).toBeNull();
  });

  it('spreads delays by the jitter fraction', () => {
    expect(nextAttemptDelay(2, { random: () => 0 })).toBe(24_000);
    expect(nextAttemptDelay(2, { random: () => 0.999999 })).toBe(36_000);
    expect(nextAttemptDelay(2, { jitter: 0, random: () => 0.9 })).toBe(30_000);
    const samples = Array.from({ length: 200 }, () => nextAttemptDelay(1)!);
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(4_000);
    expect(Math.max(...samples)).toBeLessThanOrEqual(6_000);
    expect(new Set(samples).size).toBeGreaterThan(50);
  });

  it('takes a custom schedule and rejects bad input with a named range', () => {
    expect(nextAttemptDelay(1, { scheduleMs: [100, 200], jitter: 0 })).toBe(100);
    expect(nextAttemptDelay(3, { scheduleMs: [100, 200], jitter: 0 })).toBeNull();
    expect(() => nextAttemptDelay(0)).toThrow(/failedAttempts must be an integer >= 1. Received: 0/);
    expect(() => nextAttemptDelay(1, { jitter: 2 })).toThrow(WebhookError);
  });
});

describe('webhook error catalogue', () => {
  it('describes every code and sets retryable from it', () => {
    for (const [code, entry] of Object.entries(WEBHOOK_ERRORS)) {
      expect(code).toMatch(/^WEBHOOK_[A-Z_]+$/);
      expect(entry.description.length).toBeGreaterThan(10);
      expect(new WebhookError(code as keyof typeof WEBHOOK_ERRORS, 'm').retryable).toBe(entry.retryable);
    }
  });
});
