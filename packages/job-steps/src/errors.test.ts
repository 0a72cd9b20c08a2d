import { describe, expect, it } from 'vitest';
import { JOB_STEP_ERRORS, JobStepError, isJobStepError } from './errors.ts';
import { RETRY_UNKNOWN_ERRORS } from './step-worker.ts';

describe('job step error catalogue', () => {
  it('describes every FARM_ code; a step failing with an unknown error is retried, as its catalogue entry says', () => {
    for (const [code, entry] of Object.entries(JOB_STEP_ERRORS)) {
      expect(code).toMatch(/^FARM_[A-Z_]+$/);
      expect(entry.description).toMatch(/\.$/);
    }
    expect(Object.entries(JOB_STEP_ERRORS).filter(([, entry]) => entry.retryable).map(([code]) => code)).toEqual(['FARM_STEP_FAILED']);
    expect(JOB_STEP_ERRORS.FARM_STEP_FAILED.retryable).toBe(RETRY_UNKNOWN_ERRORS);
    const error = new JobStepError('FARM_MISSING_INPUT', 'jobs/x/work/relay-0.bin is not in storage.');
    expect(error).toMatchObject({ name: 'JobStepError', retryable: false });
    expect(isJobStepError(error, 'FARM_MISSING_INPUT')).toBe(true);
  });
});
