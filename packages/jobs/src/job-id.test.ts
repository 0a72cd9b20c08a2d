import { describe, expect, it } from 'vitest';
import { createJobId, isJobId } from './job-id.ts';

describe('job ids', () => {
  it('sort by creation time as strings and have a checkable shape', () => {
    const earlier = createJobId(1_700_000_000_000);
    const later = createJobId(1_700_000_000_001);
    expect(earlier < later).toBe(true);
    expect(isJobId(earlier)).toBe(true);
    expect(isJobId('job_../../etc')).toBe(false);
    expect(isJobId(`${earlier}x`)).toBe(false);
  });
});
