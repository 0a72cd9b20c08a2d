import { describe, expect, it } from 'vitest';
import { isProgressMilestone } from './progress-events.ts';

const milestones = (total: number): number[] => Array.from({ length: total }, (_, i) => i + 1).filter((done) => isProgressMilestone(done, total));

describe('job.progress milestones', () => {
  it('sends one event per segment for short jobs', () => {
    expect(milestones(2)).toEqual([1, 2]);
    expect(milestones(10)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('sends one event per tenth for long jobs, the last on the last segment', () => {
    const long = milestones(300);
    expect(long).toHaveLength(10);
    expect(long).toEqual([30, 60, 90, 120, 150, 180, 210, 240, 270, 300]);
    expect(milestones(7)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(milestones(33)).toHaveLength(10);
  });

  it('is never a milestone for counts outside the job', () => {
    expect(isProgressMilestone(0, 5)).toBe(false);
    expect(isProgressMilestone(6, 5)).toBe(false);
    expect(isProgressMilestone(1, 0)).toBe(false);
  });
});
