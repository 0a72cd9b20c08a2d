import type { Cluster, Redis } from 'ioredis';
import { JobsError } from './errors.ts';
import { jobKeys } from './keys.ts';
import type { JobKeys } from './keys.ts';
import { runScript, script } from './scripts.ts';

/** The steps a job's timeline shows: prepare once, each segment, stitch once. */
export const TIMELINE_STAGES = Object.freeze(['prepare', 'segment', 'stitch'] as const);
export type TimelineStage = (typeof TIMELINE_STAGES)[number];

/** "failed": the step threw or the job was canceled while it ran (`error` says which). */
export type StageStatus = 'running' | 'done' | 'failed';

/** One run of a stage: its latest attempt (a retried step replaces the earlier one). */
export interface StageEvent {
  stage: TimelineStage;
  /** The segment's index; null for prepare and stitch. */
  index: number | null;
  /** The process that ran it (the worker registry's id). */
  worker: string | null;
  startedAt: Date;
  endedAt: Date | null;
  /** Frames the segment rendered; null for prepare and stitch and while running. */
  frames: number | null;
  status: StageStatus;
  /** Why it failed: an error code, or "canceled". */
  error: string | null;
}

/** A stage of a job starting or ending in a process, as that process's own activity (a worker's heartbeat) follows it. */
export type StageNotice =
  | { kind: 'started'; jobId: string; stage: TimelineStage; index: number | null; count: number | null; at: number }
  | { kind: 'ended'; jobId: string; stage: TimelineStage; index: number | null; status: StageEnd['status']; frames: number | null; at: number };

export interface StageEnd {
  status: 'done' | 'failed';
  frames?: number | null;
  error?: string | null;
}

export interface JobTimelinesOptions {
  /** A connected ioredis client (shared; never closed here). */
  redis: Redis | Cluster;
  /** Deployment prefix, as the job store's. @defaultValue "pf" */
  prefix?: string;
  /** @defaultValue Date.now */
  now?: () => number;
}

/**
 * KEYS: job, timeline. ARGV: field to set, its value, field to delete ('' = none).
 * Writes only while the job exists, so a step ending after its job was deleted leaves nothing behind.
 */
const WRITE_STAGE = script(
  'timeline-write',
  `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if ARGV[3] ~= '' then redis.call('HDEL', KEYS[2], ARGV[3]) end
return 1
`,
);

const STAGE_ORDER: Readonly<Record<TimelineStage, number>> = Object.freeze({ prepare: 0, segment: 1, stitch: 2 });

function stageName(stage: TimelineStage, index: number | null): string {
  if (stage !== 'segment') return stage;
  if (index === null || !Number.isInteger(index) || index < 0) {
    throw new JobsError('JOBS_BAD_ARGUMENT', `A segment stage needs its index (an integer >= 0). Received: ${String(index)}`);
  }
  return `segment.${index}`;
}

function parseStageName(name: string): { stage: TimelineStage; index: number | null } | null {
  if (name === 'prepare' || name === 'stitch') return { stage: name, index: null };
  const match = /^segment\.(\d+)$/.exec(name);
  return match === null ? null : { stage: 'segment', index: Number(match[1]) };
}

/**
 * When each stage of a job started and ended, on which process, with how many frames: one Redis hash per job with two
 * fields per stage (`{name}:start` = [worker, ms], `{name}:end` = [ms, status, frames, error]), so its size is bounded
 * by the job's segments. The job store's delete (DELETE, retention) removes it with the record.
 */
export class JobTimelines {
  private readonly redis: Redis | Cluster;
  private readonly keys: JobKeys;
  private readonly now: () => number;

  constructor(options: JobTimelinesOptions) {
    this.redis = options.redis;
    this.keys = jobKeys(options.prefix ?? 'pf');
    this.now = options.now ?? Date.now;
  }

  /** A stage starts (again) on `worker`: its earlier end, if any, is forgotten. */
  async started(jobId: string, stage: TimelineStage, index: number | null, worker: string): Promise<void> {
    const name = stageName(stage, index);
    await runScript(this.redis, WRITE_STAGE, [this.keys.job(jobId), this.keys.timeline(jobId)], [`${name}:start`, JSON.stringify([worker, this.now()]), `${name}:end`]);
  }

  async ended(jobId: string, stage: TimelineStage, index: number | null, end: StageEnd): Promise<void> {
    const name = stageName(stage, index);
    const value = JSON.stringify([this.now(), end.status, end.frames ?? null, end.error ?? null]);
    await runScript(this.redis, WRITE_STAGE, [this.keys.job(jobId), this.keys.timeline(jobId)], [`${name}:end`, value, '']);
  }

  /** The job's stages in pipeline order (prepare, segments by index, stitch); empty for an unknown job. */
  async read(jobId: string): Promise<StageEvent[]> {
    const hash = await this.redis.hgetall(this.keys.timeline(jobId));
    const events: StageEvent[] = [];
    for (const [field, value] of Object.entries(hash)) {
      if (!field.endsWith(':start')) continue;
      const name = field.slice(0, -':start'.length);
      const parsed = parseStageName(name);
      if (parsed === null) continue;
      const [worker, startedMs] = JSON.parse(value) as [string | null, number];
      const endText = hash[`${name}:end`];
      const [endedMs, status, frames, error]: [number | null, StageStatus, number | null, string | null] =
        endText === undefined ? [null, 'running', null, null] : (JSON.parse(endText) as [number, StageStatus, number | null, string | null]);
      events.push({ ...parsed, worker, startedAt: new Date(startedMs), endedAt: endedMs === null ? null : new Date(endedMs), frames, status, error });
    }
    return events.sort((a, b) => STAGE_ORDER[a.stage] - STAGE_ORDER[b.stage] || (a.index ?? 0) - (b.index ?? 0));
  }
}
