import { describe, expect, it } from 'vitest';
import { canTransition, JOB_STATUSES, JOB_TRANSITIONS, statusesLeadingTo, TERMINAL_STATUSES } from './job-status.ts';

describe('job state machine', () => {
  it('moves forward along the pipeline and never back', () => {
    expect(canTransition('queued', 'preparing')).toBe(true);
    expect(canTransition('preparing', 'rendering')).toBe(true);
    expect(canTransition('rendering', 'stitching')).toBe(true);
    expect(canTransition('stitching', 'succeeded')).toBe(true);
    expect(canTransition('rendering', 'preparing')).toBe(false);
    expect(canTransition('stitching', 'rendering')).toBe(false);
    expect(canTransition('rendering', 'succeeded')).toBe(false);
  });

  it('lets every non-terminal status fail or be canceled, and keeps terminal statuses final', () => {
    for (const status of JOB_STATUSES) {
      if (TERMINAL_STATUSES.has(status)) {
        expect(JOB_TRANSITIONS[status]).toEqual([]);
      } else {
        expect(canTransition(status, 'failed')).toBe(true);
        expect(canTransition(status, 'canceled')).toBe(true);
      }
    }
    expect(statusesLeadingTo('succeeded')).toEqual(['stitching']);
    expect(statusesLeadingTo('queued')).toEqual([]);
  });
});
