import { JOBS_ERRORS, JobsError } from '@portrait-farm/jobs';
import { describe, expect, it } from 'vitest';
import { toGatewayError } from './error-handler.ts';
import { GATEWAY_ERRORS, GatewayError } from './errors.ts';

describe('gateway error catalogue', () => {
  it('has stable GATEWAY_ codes with an HTTP error status and a description each', () => {
    for (const [code, entry] of Object.entries(GATEWAY_ERRORS)) {
      expect(code).toMatch(/^GATEWAY_[A-Z_]+$/);
      expect(entry.status).toBeGreaterThanOrEqual(400);
      expect(entry.status).toBeLessThan(600);
      expect(entry.description).toMatch(/\.$/);
    }
  });

  it('says which answers a client may retry: timeouts, limits, unavailability, full session slots, an unreachable session host, unexpected errors and failed input fetches', () => {
    const retried = Object.entries(GATEWAY_ERRORS).filter(([, entry]) => entry.retryable).map(([code]) => code);
    expect(retried).toEqual(['GATEWAY_REQUEST_TIMEOUT', 'GATEWAY_INPUT_FETCH_FAILED', 'GATEWAY_RATE_LIMITED', 'GATEWAY_QUEUE_FULL', 'GATEWAY_SESSION_LIMIT', 'GATEWAY_INTERNAL', 'GATEWAY_SESSION_HOST_UNREACHABLE', 'GATEWAY_NO_SESSION_CAPACITY', 'GATEWAY_UNAVAILABLE']);
    expect(new GatewayError('GATEWAY_RATE_LIMITED', 'm', { 'retry-after': '3' })).toMatchObject({ status: 429, retryable: true, headers: { 'retry-after': '3' } });
  });

  it('maps every job store error to a catalogue code with the same status', () => {
    for (const code of Object.keys(JOBS_ERRORS) as Array<keyof typeof JOBS_ERRORS>) {
      const mapped = toGatewayError(new JobsError(code, 'x'));
      expect(mapped).toBeInstanceOf(GatewayError);
      expect(mapped.status).toBe(JOBS_ERRORS[code].status);
    }
  });

  it('hides unexpected errors behind GATEWAY_INTERNAL', () => {
    const mapped = toGatewayError(new TypeError('secret detail'));
    expect(mapped.code).toBe('GATEWAY_INTERNAL');
    expect(mapped.message).not.toContain('secret');
  });
});
