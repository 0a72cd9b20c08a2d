import type { Cluster, Redis } from 'ioredis';
import { scanKeys } from './scan-keys.ts';
import { JobsError } from './errors.ts';
import { isJobId } from './job-id.ts';
import type { JobRecord } from './job-record.ts';
import { minuteOf } from './job-store.ts';
import { jobKeys } from './keys.ts';
import type { JobKeys } from './keys.ts';
import { decodeJob } from './record-codec.ts';
import { runScript, script } from './scripts.ts';
import { JOB_STATUS_GROUPS } from './status-groups.ts';
import type { JobStatusGroup } from './status-groups.ts';

export interface JobIndexOptions {
  /** A connected ioredis client (shared; never closed here). */
  redis: Redis | Cluster;
  /** Deployment prefix, as the job store's. @defaultValue "pf" */
  prefix?: string;
  /** @defaultValue Date.now */
  now?: () => number;
}

export interface StatusPageOptions {
  /** Only jobs whose status falls in this group; null: every job. @defaultValue null */
  status?: JobStatusGroup | null;
  /** 1 to 200. @defaultValue 50 */
  limit?: number;
  /** The `nextCursor` of the previous page (a job id). */
  cursor?: string | null;
}

export interface StatusPage {
  /** Newest first. */
  jobs: JobRecord[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** What finished in one minute: jobs succeeded and failed, frames rendered. */
export interface ThroughputMinute {
  /** The minute's start. */
  minute: Date;
  succeeded: number;
  failed: number;
  frames: number;
}

export const MAX_STATUS_PAGE = 200;

/**
 * Adds a job missing from the indexes (made before they existed) to the all-jobs index and its status group's.
 * KEYS: job, all jobs, then the queued, running, succeeded, failed and canceled indexes. ARGV: id.
 * Returns 1 when it added the job.
 */
const INDEX_JOB = script(
  'index-job',
  `
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 0 end
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 0 end
local group = {queued = 3, preparing = 4, rendering = 4, stitching = 4, succeeded = 5, failed = 6, canceled = 7}
if not group[status] then return 0 end
redis.call('ZADD', KEYS[2], 0, ARGV[1])
redis.call('ZADD', KEYS[group[status]], 0, ARGV[1])
return 1
`,
);

/**
 * The farm-wide views of the job store an operator reads: every tenant's jobs by status group, newest first (indexes
 * the store's scripts keep), and the jobs succeeded and failed and frames rendered per minute.
 */
export class JobIndex {
  private readonly redis: Redis | Cluster;
  private readonly keys: JobKeys;
  private readonly now: () => number;

  constructor(options: JobIndexOptions) {
    this.redis = options.redis;
    this.keys = jobKeys(options.prefix ?? 'pf');
    this.now = options.now ?? Date.now;
  }

  /** A page of jobs of every tenant, newest first, optionally of one status group. */
  async listByStatus(options: StatusPageOptions = {}): Promise<StatusPage> {
    const limit = options.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_STATUS_PAGE) {
      throw new JobsError('JOBS_BAD_ARGUMENT', `limit must be an integer between 1 and ${MAX_STATUS_PAGE}. Received: ${String(options.limit)}`);
    }
    const cursor = options.cursor ?? null;
    if (cursor !== null && !isJobId(cursor)) {
      throw new JobsError('JOBS_BAD_ARGUMENT', `cursor must be the nextCursor of a previous page. Received: ${JSON.stringify(cursor)}`);
    }
    const status = options.status ?? null;
    const index = status === null ? this.keys.allJobs() : this.keys.statusIndex(status);
    const ids = await this.redis.zrevrangebylex(index, cursor === null ? '+' : `(${cursor}`, '-', 'LIMIT', 0, limit + 1);
    const page = ids.slice(0, limit);
    const pipeline = this.redis.pipeline();
    for (const id of page) pipeline.hgetall(this.keys.job(id));
    const jobs: JobRecord[] = [];
    for (const [error, hash] of (await pipeline.exec()) ?? []) {
      if (error !== null) throw error;
      const record = decodeJob(hash as Record<string, string>);
      if (record !== null) jobs.push(record);
    }
    return { jobs, nextCursor: ids.length > limit ? (page[page.length - 1] ?? null) : null };
  }

  /**
   * Adds every job missing from the status indexes (jobs created before they existed): one SCAN over the prefix's job
   * records, for a process to run at start (a scan that completed once is not run again); safe beside running jobs and
   * other processes. Returns how many it added.
   */
  async indexExistingJobs(): Promise<number> {
    // Set once a whole scan has run: every job since was indexed by the scripts, so later starts skip the scan.
    const done = `${this.keys.allJobs()}:complete`;
    if ((await this.redis.exists(done)) === 1) return 0;
    const groups = JOB_STATUS_GROUPS.map((group) => this.keys.statusIndex(group));
    const base = this.keys.job('');
    let added = 0;
    for await (const keys of scanKeys(this.redis, `${base}job_*`)) {
      for (const key of keys) {
        const id = key.slice(base.length);
        if (!isJobId(id)) continue; // a job's other keys (progress, timeline, webhook attempts)
        added += (await runScript(this.redis, INDEX_JOB, [key, this.keys.allJobs(), ...groups], [id])) as number;
      }
    }
    await this.redis.set(done, '1');
    return added;
  }

  /** One row per minute of the last `minutes` (this one included), oldest first. */
  async throughput(minutes = 60): Promise<ThroughputMinute[]> {
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 180) {
      throw new JobsError('JOBS_BAD_ARGUMENT', `minutes must be an integer between 1 and 180. Received: ${String(minutes)}`);
    }
    const last = minuteOf(this.now());
    const range = Array.from({ length: minutes }, (_, i) => last - minutes + 1 + i);
    const pipeline = this.redis.pipeline();
    for (const minute of range) pipeline.hmget(this.keys.throughput(minute), 'succeeded', 'failed', 'frames');
    const answers = (await pipeline.exec()) ?? [];
    return range.map((minute, i) => {
      const [error, values] = answers[i] ?? [null, []];
      if (error !== null) throw error;
      const [succeeded, failed, frames] = (values as Array<string | null>).map((value) => Number(value ?? 0));
      return { minute: new Date(minute * 60_000), succeeded: succeeded ?? 0, failed: failed ?? 0, frames: frames ?? 0 };
    });
  }
}
