import { isTerminal } from '@portrait-farm/jobs';
import type { JobError, JobRecord, JobStatus, StageEvent, StageStatus, ThroughputMinute, TimelineStage } from '@portrait-farm/jobs';
import type { FarmProcessRole, ProcessState, RegisteredWorker, WorkerSegment } from './worker-registry.ts';

/** A job as the operator's jobs list shows it (every tenant's). */
export interface OpsJobRow {
  id: string;
  tenant: string;
  status: JobStatus;
  /** Frames done of the plan's, 0..1; 1 once succeeded. */
  progress: number;
  createdAt: string;
  updatedAt: string;
  error: JobError | null;
  /** The job this one runs again (an operator's retry), or null. */
  retryOf: string | null;
}

export interface OpsTimelineEvent {
  stage: TimelineStage;
  index: number | null;
  worker: string | null;
  startedAt: string;
  endedAt: string | null;
  frames: number | null;
  status: StageStatus;
  error: string | null;
}

export interface OpsTimeline {
  id: string;
  status: JobStatus;
  events: OpsTimelineEvent[];
}

export interface OpsWorker {
  id: string;
  role: FarmProcessRole;
  host: string;
  pid: number;
  provider: string;
  state: ProcessState;
  stage: TimelineStage | null;
  jobId: string | null;
  segment: WorkerSegment | null;
  framesPerSecond: number | null;
  lastHeartbeatAt: string;
  alive: boolean;
}

export interface OpsThroughputRow {
  minute: string;
  succeeded: number;
  failed: number;
  frames: number;
}

function progressOf(record: JobRecord): number {
  if (record.status === 'succeeded') return 1;
  const { framesDone, framesTotal } = record.progress;
  return framesTotal > 0 ? Math.min(1, Math.round((framesDone / framesTotal) * 1000) / 1000) : 0;
}

export function opsJobRow(record: JobRecord): OpsJobRow {
  return {
    id: record.id,
    tenant: record.tenantId,
    status: record.status,
    progress: progressOf(record),
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    error: record.error,
    retryOf: record.retryOf,
  };
}

/**
 * The job's timeline. A stage still "running" on a job that has ended lost its process (killed before it could record
 * its end): it shows as failed, "interrupted".
 */
export function opsTimeline(record: JobRecord, events: readonly StageEvent[]): OpsTimeline {
  const ended = isTerminal(record.status);
  return {
    id: record.id,
    status: record.status,
    events: events.map((event) => {
      const interrupted = ended && event.status === 'running';
      return {
        stage: event.stage,
        index: event.index,
        worker: event.worker,
        startedAt: event.startedAt.toISOString(),
        endedAt: event.endedAt?.toISOString() ?? null,
        frames: event.frames,
        status: interrupted ? 'failed' : event.status,
        error: interrupted ? 'interrupted' : event.error,
      };
    }),
  };
}

export function opsWorker(worker: RegisteredWorker): OpsWorker {
  const { lastHeartbeatAt, ...rest } = worker;
  return { ...rest, lastHeartbeatAt: lastHeartbeatAt.toISOString() };
}

export function opsThroughputRow(row: ThroughputMinute): OpsThroughputRow {
  return { ...row, minute: row.minute.toISOString() };
}
