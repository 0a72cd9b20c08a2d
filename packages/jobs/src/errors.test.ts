import { describe, expect, it } from 'vitest';
import { JOBS_ERRORS, JobsError } from './errors.ts';

describe('jobs error catalogue', () => {
  it('gives every code a 4xx status, a description and the JOBS_ prefix', () => {
    for (const [code, entry] of Object.entries(JOBS_ERRORS)) {
      expect(code).toMatch(/^JOBS_[A-Z_]+$/);
      expect(entry.status).toBeGreaterThanOrEqual(400);
      expect(entry.status).toBeLessThan(500);
      expect(entry.description.length).toBeGreaterThan(10);
    }
    expect(new JobsError('JOBS_NOT_FOUND', 'x').status).toBe(404);
  });

  it('retries only the concurrency limit, which a finished job lifts', () => {
    expect(Object.entries(JOBS_ERRORS).filter(([, entry]) => entry.retryable).map(([code]) => code)).toEqual(['JOBS_QUEUE_FULL']);
    expect(new JobsError('JOBS_QUEUE_FULL', 'x', { held: 2 })).toMatchObject({ name: 'JobsError', retryable: true, details: { held: 2 } });
  });
});
