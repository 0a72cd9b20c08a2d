import type { Cluster, Redis } from 'ioredis';
import { scanKeys } from './scan-keys.ts';
import { JobsError } from './errors.ts';
import { isJobId } from './job-id.ts';
import type { JobError, JobOutput, JobPlan, JobRecord, NewJob, WebhookAttempt } from './job-record.ts';
import { isTerminal, statusesLeadingTo } from './job-status.ts';
import type { JobStatus } from './job-status.ts';
import { jobKeys } from './keys.ts';
import type { JobKeys } from './keys.ts';
import { decodeJob, encodeNewJob } from './record-codec.ts';
import { CLAIM_RELEASED, CREATE_JOB, DELETE_JOB, RATE_RELEASE, RATE_WINDOW, runScript, SEGMENT_PROGRESS, TRANSITION } from './scripts.ts';
import { JOB_STATUS_GROUPS, statusGroupOf } from './status-groups.ts';

export interface JobStoreOptions {
  /** A connected ioredis client (shared; the store never closes it). */
  redis: Redis | Cluster;
  /**
   * Deployment prefix; every key lives under `{prefix}:jobs:`.
   * @defaultValue "pf"
   */
  prefix?: string;
  /**
   * How long an Idempotency-Key is remembered, in seconds.
   * @defaultValue 86400
   */
  idempotencyTtlSeconds?: number;
  /** @defaultValue Date.now */
  now?: () => number;
}

export interface CreateJobOptions {
  /**
   * Most jobs of the tenant in the farm at once (non-terminal, not held); a job beyond it is held until one ends.
   * null = no limit. @defaultValue null
   */
  maxActiveJobs?: number | null;
  /** Most held jobs of the tenant; a job beyond it throws JOBS_QUEUE_FULL. null = no cap. @defaultValue null */
  maxHeldJobs?: number | null;
}

export interface CreateJobResult {
  record: JobRecord;
  /** false when an earlier request with the same Idempotency-Key and body created the job. */
  created: boolean;
  /** true when the job waits in its tenant's hold: its prepare step is queued when it is released, not now. */
  held: boolean;
}

export interface TransitionResult {
  /** True when this call moved the job. */
  applied: boolean;
  /** The status before this call. */
  previous: JobStatus;
  /** The status after this call (the target when applied, else the unchanged current one). */
  status: JobStatus;
  /** How many held jobs of the tenant this call released into the farm (their prepare steps are to be queued). */
  released: number;
}

export interface ListJobsOptions {
  /** 1 to 100. @defaultValue 20 */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string | null;
}

export interface JobPage {
  jobs: JobRecord[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export interface RateDecision {
  allowed: boolean;
  count: number;
  limit: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
  /** The window counted in (pass to {@link JobStore.releaseRate} to give the count back). */
  window: number;
}

const MAX_ATTEMPTS_KEPT = 50;

/** Minutes since the epoch: the throughput counts' bucket of a moment in milliseconds. */
export function minuteOf(ms: number): number {
  return Math.floor(ms / 60_000);
}

/**
 * Job records in Redis: one hash per job, a per-tenant sorted set for listing (ids sort by creation time),
 * a per-tenant set of active jobs for the concurrency limit and a sorted set of the jobs held beyond it,
 * idempotency keys with a TTL. Every change
 * that must not race (create, status transitions, segment progress) is one Lua script.
 */
export class JobStore {
  readonly prefix: string;
  readonly keys: JobKeys;
  private readonly redis: Redis | Cluster;
  private readonly idempotencyTtlSeconds: number;
  private readonly now: () => number;
  private readonly tenants = new Map<string, string>();

  constructor(options: JobStoreOptions) {
    this.redis = options.redis;
    this.prefix = options.prefix ?? 'pf';
    this.keys = jobKeys(this.prefix);
    this.idempotencyTtlSeconds = options.idempotencyTtlSeconds ?? 86_400;
    if (!Number.isInteger(this.idempotencyTtlSeconds) || this.idempotencyTtlSeconds < 1) {
      throw new JobsError('JOBS_BAD_ARGUMENT', `idempotencyTtlSeconds must be an integer >= 1. Received: ${options.idempotencyTtlSeconds}`);
    }
    this.now = options.now ?? Date.now;
  }

  /**
   * Creates a job in status "queued" unless the tenant's Idempotency-Key was used before: same request hash
   * returns that job (created: false); a different hash throws JOBS_IDEMPOTENCY_CONFLICT. A job beyond the tenant's
   * `maxActiveJobs` (or behind jobs already held) is held (held: true) until a running job of the tenant ends; past
   * `maxHeldJobs` held jobs it throws JOBS_QUEUE_FULL.
   */
  async create(job: NewJob, options: CreateJobOptions = {}): Promise<CreateJobResult> {
    if (!isJobId(job.id)) throw new JobsError('JOBS_BAD_ARGUMENT', `Job id ${JSON.stringify(job.id)} is not a job id (see createJobId).`);
    const limit = options.maxActiveJobs ?? null;
    const heldCap = options.maxHeldJobs ?? null;
    const idemKey = job.idempotencyKey === null ? this.keys.noIdempotencyKey() : this.keys.idempotency(job.tenantId, job.idempotencyKey);
    const keys = [
      this.keys.job(job.id),
      this.keys.tenantJobs(job.tenantId),
      this.keys.tenantActive(job.tenantId),
      idemKey,
      this.keys.allJobs(),
      this.keys.statusIndex('queued'),
      this.keys.tenantHeld(job.tenantId),
      this.keys.tenantHoldSequence(job.tenantId),
      this.keys.tenantConcurrency(job.tenantId),
      this.keys.releasing(),
    ];
    const now = this.now();
    const args = [job.id, job.requestHash, limit ?? -1, this.idempotencyTtlSeconds, heldCap ?? -1, job.priority, now, ...encodeNewJob(job, now)];
    const [outcome, value, released] = (await runScript(this.redis, CREATE_JOB, keys, args)) as [string, string, number | undefined];
    await this.announceReleases(released ?? 0);
    if (outcome === 'held-full') {
      throw new JobsError(
        'JOBS_QUEUE_FULL',
        `Tenant ${job.tenantId} already has ${value} jobs queued behind its ${String(limit)} running ones, the most allowed; ` +
          'wait for some to finish or cancel some.',
        { held: Number(value), limit: heldCap },
      );
    }
    if (outcome === 'conflict') {
      throw new JobsError(
        'JOBS_IDEMPOTENCY_CONFLICT',
        `Idempotency-Key ${JSON.stringify(job.idempotencyKey)} was already used for job ${value} with a different request body; ` +
          'use a new key for a different request.',
        { jobId: value },
      );
    }
    const record = await this.getById(value);
    if (record === null) throw new JobsError('JOBS_NOT_FOUND', `Job ${value} vanished right after it was created.`);
    if (outcome !== 'existing') await this.redis.publish(this.keys.changesChannel(), record.id);
    const held = outcome === 'held' || (outcome === 'existing' && (await this.queuePosition(record)) !== null);
    return { record, created: outcome !== 'existing', held };
  }

  /** The job's place in its tenant's hold (1 = released next), or null when it is not held. */
  async queuePosition(record: Pick<JobRecord, 'id' | 'tenantId'>): Promise<number | null> {
    const rank = await this.redis.zrank(this.keys.tenantHeld(record.tenantId), record.id);
    return rank === null ? null : rank + 1;
  }

  /** How many jobs the tenant has held. */
  async heldCount(tenantId: string): Promise<number> {
    return this.redis.zcard(this.keys.tenantHeld(tenantId));
  }

  /**
   * Takes up to `count` jobs released from a hold whose prepare step is to be queued; each stays leased to the caller
   * for `leaseMs` (another dispatcher takes it after that), until {@link JobStore.releaseQueued} confirms it.
   */
  async claimReleased(count: number, leaseMs: number): Promise<string[]> {
    return (await runScript(this.redis, CLAIM_RELEASED, [this.keys.releasing()], [this.now(), leaseMs, count])) as string[];
  }

  /** Confirms that a released job's prepare step is queued. */
  async releaseQueued(id: string): Promise<void> {
    await this.redis.zrem(this.keys.releasing(), id);
  }

  private async announceReleases(released: number): Promise<void> {
    if (released > 0) await this.redis.publish(this.keys.releaseChannel(), String(released));
  }

  /**
   * What an Idempotency-Key of the tenant is bound to, or null when unused (or expired). Lets a caller answer
   * a retried request before doing expensive work; `create` re-checks atomically.
   */
  async lookupIdempotencyKey(tenantId: string, key: string): Promise<{ jobId: string; requestHash: string } | null> {
    const seen = await this.redis.get(this.keys.idempotency(tenantId, key));
    if (seen === null) return null;
    const sep = seen.indexOf('|');
    return { jobId: seen.slice(0, sep), requestHash: seen.slice(sep + 1) };
  }

  /** The tenant's job; another tenant's job is JOBS_NOT_FOUND, exactly like a missing one. */
  async get(tenantId: string, id: string): Promise<JobRecord> {
    const record = isJobId(id) ? await this.getById(id) : null;
    if (record === null || record.tenantId !== tenantId) throw new JobsError('JOBS_NOT_FOUND', `Job ${id} not found.`);
    return record;
  }

  /** Any tenant's job, for workers; null when missing. */
  async getById(id: string): Promise<JobRecord | null> {
    if (!isJobId(id)) return null;
    return decodeJob(await this.redis.hgetall(this.keys.job(id)));
  }

  /** The tenant's jobs, newest first. */
  async list(tenantId: string, options: ListJobsOptions = {}): Promise<JobPage> {
    const limit = options.limit ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new JobsError('JOBS_BAD_ARGUMENT', `limit must be an integer between 1 and 100. Received: ${String(options.limit)}`);
    }
    const cursor = options.cursor ?? null;
    if (cursor !== null && !isJobId(cursor)) {
      throw new JobsError('JOBS_BAD_ARGUMENT', `cursor must be the nextCursor of a previous page. Received: ${JSON.stringify(cursor)}`);
    }
    const ids = await this.redis.zrevrangebylex(this.keys.tenantJobs(tenantId), cursor === null ? '+' : `(${cursor}`, '-', 'LIMIT', 0, limit + 1);
    const page = ids.slice(0, limit);
    const pipeline = this.redis.pipeline();
    for (const id of page) pipeline.hgetall(this.keys.job(id));
    const results = (await pipeline.exec()) ?? [];
    const jobs: JobRecord[] = [];
    for (const [error, hash] of results) {
      if (error !== null) throw error;
      const record = decodeJob(hash as Record<string, string>);
      if (record !== null && record.tenantId === tenantId) jobs.push(record);
    }
    return { jobs, nextCursor: ids.length > limit ? (page[page.length - 1] ?? null) : null };
  }

  private async tenantOf(id: string): Promise<string> {
    const cached = this.tenants.get(id);
    if (cached !== undefined) return cached;
    const tenantId = isJobId(id) ? await this.redis.hget(this.keys.job(id), 'tenantId') : null;
    if (tenantId === null) throw new JobsError('JOBS_NOT_FOUND', `Job ${id} not found.`);
    if (this.tenants.size > 10_000) this.tenants.clear();
    this.tenants.set(id, tenantId);
    return tenantId;
  }

  /**
   * Moves a job to `to` if the state machine allows it from the current status, atomically: concurrent
   * callers can never move a job backwards or out of a terminal status. Moving to the current status is a
   * no-op (applied: false). `fields` are stored in the same step (error, output, cancel flag).
   */
  async transition(id: string, to: JobStatus, fields: Record<string, string> = {}): Promise<TransitionResult> {
    const tenantId = await this.tenantOf(id);
    const now = this.now();
    const group = statusGroupOf(to);
    const keys = [
      this.keys.job(id),
      this.keys.tenantActive(tenantId),
      this.keys.finishedJobs(),
      this.keys.throughput(minuteOf(now)),
      this.keys.tenantHeld(tenantId),
      this.keys.tenantConcurrency(tenantId),
      this.keys.releasing(),
      this.keys.statusIndex(group),
      ...JOB_STATUS_GROUPS.filter((other) => other !== group).map((other) => this.keys.statusIndex(other)),
    ];
    const args = [id, to, now, isTerminal(to) ? '1' : '0', statusesLeadingTo(to).join(','), ...Object.entries(fields).flat()];
    const [outcome, status, released = 0] = (await runScript(this.redis, TRANSITION, keys, args)) as [string, JobStatus, number?];
    if (outcome === 'missing') throw new JobsError('JOBS_NOT_FOUND', `Job ${id} not found.`);
    if (outcome === 'applied') await this.redis.publish(this.keys.changesChannel(), id);
    await this.announceReleases(released);
    return { applied: outcome === 'applied', previous: status, status: outcome === 'applied' ? to : status, released };
  }

  /** Ends the job as failed with an error (no effect on a job already ended). */
  fail(id: string, error: JobError): Promise<TransitionResult> {
    return this.transition(id, 'failed', { error: JSON.stringify({ code: error.code, message: error.message }) });
  }

  /** Ends the job as succeeded with its output (only from stitching). */
  succeed(id: string, output: JobOutput): Promise<TransitionResult> {
    return this.transition(id, 'succeeded', { output: JSON.stringify(output) });
  }

  /**
   * Cancels the tenant's job: sets the cancel flag and status canceled in one step and publishes the id on
   * the changes channel (as every transition) and the cancel channel. Idempotent: canceling a canceled job changes nothing. A job that already succeeded
   * or failed throws JOBS_ALREADY_FINISHED.
   */
  async cancel(tenantId: string, id: string): Promise<{ record: JobRecord; changed: boolean }> {
    await this.get(tenantId, id);
    const result = await this.transition(id, 'canceled', { cancelRequested: '1' });
    if (!result.applied && result.status !== 'canceled') {
      throw new JobsError('JOBS_ALREADY_FINISHED', `Job ${id} already ${result.status}; it can no longer be canceled.`, {
        status: result.status,
      });
    }
    if (result.applied) await this.redis.publish(this.keys.cancelChannel(), id);
    return { record: await this.get(tenantId, id), changed: result.applied };
  }

  /** Whether cancel was asked for: one HGET, cheap enough to call between frames. */
  async isCancelRequested(id: string): Promise<boolean> {
    return (await this.redis.hget(this.keys.job(id), 'cancelRequested')) === '1';
  }

  /** Stores the segment plan and the totals it implies (segments, frames). */
  async setPlan(id: string, plan: JobPlan): Promise<void> {
    await this.tenantOf(id);
    await this.redis.hset(this.keys.job(id), {
      plan: JSON.stringify(plan),
      segmentsTotal: String(plan.segments.length),
      framesTotal: String(plan.frameCount),
      updatedAt: String(this.now()),
    });
  }

  /**
   * Reports how many frames of a segment are done and whether it is complete. Idempotent under retries:
   * frames only count up per segment, and a segment counts as done once.
   */
  async reportSegment(id: string, index: number, framesDone: number, complete: boolean): Promise<{ segmentsDone: number; framesDone: number }> {
    if (!Number.isInteger(index) || index < 0 || !Number.isInteger(framesDone) || framesDone < 0) {
      throw new JobsError('JOBS_BAD_ARGUMENT', `index and framesDone must be integers >= 0. Received: ${index}, ${framesDone}`);
    }
    const now = this.now();
    const keys = [this.keys.job(id), this.keys.segmentFrames(id), this.keys.segmentsDone(id), this.keys.throughput(minuteOf(now))];
    const answer = (await runScript(this.redis, SEGMENT_PROGRESS, keys, [index, framesDone, complete ? '1' : '0', now])) as
      | [number, number]
      | null;
    if (answer === null) throw new JobsError('JOBS_NOT_FOUND', `Job ${id} not found.`);
    await this.redis.publish(this.keys.changesChannel(), id);
    return { segmentsDone: answer[0], framesDone: answer[1] };
  }

  /** Adds seconds of work under a name (e.g. "denoise", "render", "encode"), summed over segments. */
  async addWorkSeconds(id: string, name: string, seconds: number): Promise<void> {
    if (!/^[a-z][a-z0-9-]{0,40}$/.test(name) || !Number.isFinite(seconds) || seconds < 0) {
      throw new JobsError('JOBS_BAD_ARGUMENT', `Work timing needs a lower-case name and seconds >= 0. Received: ${name}, ${seconds}`);
    }
    await this.redis.hincrbyfloat(this.keys.job(id), `work:${name}`, seconds);
  }

  /** How many of the tenant's jobs are in the farm (not finished, not held). */
  async activeCount(tenantId: string): Promise<number> {
    return this.redis.scard(this.keys.tenantActive(tenantId));
  }

  /** Appends a webhook delivery attempt to the job (the newest 50 are kept). */
  async recordWebhookAttempt(id: string, attempt: WebhookAttempt): Promise<void> {
    const key = this.keys.webhookAttempts(id);
    await this.redis.multi().rpush(key, JSON.stringify(attempt)).ltrim(key, -MAX_ATTEMPTS_KEPT, -1).exec();
  }

  /** The job's webhook delivery attempts, oldest first: all that are kept, or the newest `last`. */
  async webhookAttempts(id: string, last?: number): Promise<WebhookAttempt[]> {
    const start = last === undefined ? 0 : -last;
    return (await this.redis.lrange(this.keys.webhookAttempts(id), start, -1)).map((line) => JSON.parse(line) as WebhookAttempt);
  }

  /** Stops deliveries to an endpoint of a tenant (after it answered 410 Gone). */
  async disableEndpoint(tenantId: string, url: string): Promise<void> {
    await this.redis.sadd(this.keys.disabledEndpoints(), `${tenantId} ${url}`);
  }

  async isEndpointDisabled(tenantId: string, url: string): Promise<boolean> {
    return (await this.redis.sismember(this.keys.disabledEndpoints(), `${tenantId} ${url}`)) === 1;
  }

  /**
   * Counts `amount` requests (one by default) in the tenant's fixed window for `scope` (the current one unless
   * `window` names it); `allowed` is false past `limit`.
   */
  async consumeRate(tenantId: string, scope: string, limit: number, windowSeconds: number, amount = 1, window = this.rateWindowOf(windowSeconds)): Promise<RateDecision> {
    const key = this.keys.rateWindow(tenantId, scope, window);
    const [count, ttl] = (await runScript(this.redis, RATE_WINDOW, [key], [windowSeconds, amount])) as [number, number];
    return { allowed: count <= limit, count, limit, resetSeconds: Math.max(1, ttl), window };
  }

  /** The number of the fixed window of `windowSeconds` that holds this moment. */
  rateWindowOf(windowSeconds: number): number {
    return Math.floor(this.now() / 1000 / windowSeconds);
  }

  /** Gives back the count {@link consumeRate} took (a request refused or replayed does not use the quota). */
  async releaseRate(tenantId: string, scope: string, decision: Pick<RateDecision, 'window'>): Promise<void> {
    await runScript(this.redis, RATE_RELEASE, [this.keys.rateWindow(tenantId, scope, decision.window)], []);
  }

  /**
   * Removes a job record read before (`get` checks the tenant) and its index entries (list, active set, finished set,
   * status indexes, its Idempotency-Key, progress, timeline and webhook attempts). The caller cancels a running job first and removes its
   * objects from storage. The id is published on the changes channel (its record now missing: the job is gone).
   */
  async deleteRecord(record: Pick<JobRecord, 'id' | 'tenantId' | 'idempotencyKey'>): Promise<void> {
    // A held job leaves the hold with its record; a place it freed goes to the tenant's next held job.
    const { id, tenantId } = record;
    const keys = [
      this.keys.job(id),
      this.keys.segmentFrames(id),
      this.keys.segmentsDone(id),
      this.keys.webhookAttempts(id),
      this.keys.tenantJobs(tenantId),
      this.keys.tenantActive(tenantId),
      this.keys.finishedJobs(),
      record.idempotencyKey === null ? this.keys.noIdempotencyKey() : this.keys.idempotency(tenantId, record.idempotencyKey),
      this.keys.timeline(id),
      this.keys.allJobs(),
      this.keys.tenantHeld(tenantId),
      this.keys.tenantConcurrency(tenantId),
      this.keys.releasing(),
      ...JOB_STATUS_GROUPS.map((group) => this.keys.statusIndex(group)),
    ];
    const [existedFlag, released] = (await runScript(this.redis, DELETE_JOB, keys, [id, this.now()])) as [number, number];
    const existed = existedFlag === 1;
    await this.announceReleases(released);
    this.tenants.delete(id);
    if (existed) await this.redis.publish(this.keys.changesChannel(), id);
  }

  /** Ids of jobs that finished (succeeded, failed, canceled) before `beforeMs`, oldest first, at most `limit`. */
  async finishedBefore(beforeMs: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.finishedJobs(), '-inf', `(${beforeMs}`, 'LIMIT', 0, limit);
  }

  /**
   * Adds to the finished set every finished job missing from it (jobs that ended before the set existed): one SCAN
   * over the prefix's job records, once per deployment (a marker, as JobIndex.indexExistingJobs keeps: every job that
   * ended since joined the set by the scripts, so later starts skip the scan). Returns how many it added.
   */
  async indexFinishedJobs(): Promise<number> {
    const done = `${this.keys.finishedJobs()}:complete`;
    if ((await this.redis.exists(done)) === 1) return 0;
    let added = 0;
    const pattern = `${this.keys.job('')}job_*`;
    for await (const keys of scanKeys(this.redis, pattern)) {
      for (const key of keys) {
        const id = key.slice(this.keys.job('').length);
        if (!isJobId(id)) continue; // a job's other keys (progress, webhook attempts)
        const [status, ...times] = await this.redis.hmget(key, 'status', 'at:succeeded', 'at:failed', 'at:canceled');
        const ended = times.find((time) => time !== null);
        if (status === null || !isTerminal(status as JobStatus) || ended === undefined || ended === null) continue;
        added += await this.redis.zadd(this.keys.finishedJobs(), 'NX', Number(ended), id);
      }
    }
    await this.redis.set(done, '1');
    return added;
  }

  /** Drops an id from the finished set without a record (one deleted elsewhere). */
  async forgetFinished(id: string): Promise<void> {
    await this.redis.zrem(this.keys.finishedJobs(), id);
  }
}
