import { describe, expect, it } from 'vitest';
import { FARM_ERRORS, FarmError, isFarmError } from './errors.ts';
import { RETRY_UNKNOWN_ERRORS } from './step-worker.ts';

describe('farm error catalogue', () => {
  it('describes every FARM_ code; a step failing with an unknown error is retried, as its catalogue entry says', () => {
    for (const [code, entry] of Object.entries(FARM_ERRORS)) {
      expect(code).toMatch(/^FARM_[A-Z_]+$/);
      expect(entry.description).toMatch(/\.$/);
    }
    expect(Object.entries(FARM_ERRORS).filter(([, entry]) => entry.retryable).map(([code]) => code)).toEqual(['FARM_STEP_FAILED']);
    expect(FARM_ERRORS.FARM_STEP_FAILED.retryable).toBe(RETRY_UNKNOWN_ERRORS);
    const error = new FarmError('FARM_MISSING_INPUT', 'jobs/x/work/relay-0.bin is not in storage.');
    expect(error).toMatchObject({ name: 'FarmError', retryable: false });
    expect(isFarmError(error, 'FARM_MISSING_INPUT')).toBe(true);
  });
});
