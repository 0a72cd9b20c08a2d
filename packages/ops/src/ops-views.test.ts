import { describe, expect, it } from 'vitest';
import type { JobRecord, StageEvent } from '@portrait-farm/jobs';
import { opsJobRow, opsTimeline } from './ops-views.ts';

const record = (status: JobRecord['status'], framesDone = 0, framesTotal = 0): JobRecord =>
  ({
    id: 'job_01m93p62pq1tzrb058q214tbw4',
    tenantId: 'tenant-a',
    status,
    createdAt: new Date(0),
    updatedAt: new Date(1000),
    progress: { segmentsDone: 0, segmentsTotal: 0, framesDone, framesTotal },
    error: null,
    retryOf: null,
  }) as unknown as JobRecord;

const running: StageEvent = { stage: 'segment', index: 1, worker: 'worker-h-1', startedAt: new Date(0), endedAt: null, frames: null, status: 'running', error: null };

describe('ops views', () => {
  it('gives progress as frames done of the plan, 1 once succeeded, 0 before a plan', () => {
    expect(opsJobRow(record('rendering', 25, 100))).toMatchObject({ progress: 0.25, tenant: 'tenant-a', createdAt: '1970-01-01T00:00:00.000Z' });
    expect(opsJobRow(record('queued'))).toMatchObject({ progress: 0 });
    expect(opsJobRow(record('succeeded', 99, 100))).toMatchObject({ progress: 1 });
  });

  it('shows a stage left running on an ended job (its process was killed) as failed, "interrupted"', () => {
    expect(opsTimeline(record('rendering'), [running]).events[0]).toMatchObject({ status: 'running', error: null });
    expect(opsTimeline(record('failed'), [running]).events[0]).toMatchObject({ status: 'failed', error: 'interrupted', endedAt: null });
  });
});
