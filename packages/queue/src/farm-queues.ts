import { isJobId } from '@portrait-farm/jobs';
import type { JobEventType, JobRecord } from '@portrait-farm/jobs';
import { Queue } from 'bullmq';
import type { JobsOptions } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import { audioJobId, cleanupJobId, prepareJobId, segmentJobId, stitchJobId, webhookJobId } from './bull-job-ids.ts';
import { assertValidPrefix } from './connection.ts';
import { QueueError } from './errors.ts';
import type { AudioJob, CleanupJob, PrepareJob, QueuePayloads, SegmentJob, StitchJob, WebhookJob } from './payloads.ts';
import { bullPriority, PRIORITY_RANGE } from './priority.ts';
import { ALL_QUEUES, bullPrefix, QUEUE_NAMES } from './queue-names.ts';
import type { QueueName } from './queue-names.ts';

export interface FarmQueuesOptions {
  /** ioredis connection the queues share (producers only; Workers need their own, see createRedisConnection). */
  connection: Redis | Cluster;
  /**
   * Deployment prefix; BullMQ keys live under `{prefix}:q:`.
   * @defaultValue "pf"
   */
  prefix?: string;
  /**
   * How long finished BullMQ jobs are kept, in seconds. Their ids stay taken meanwhile, which is what makes
   * re-enqueueing the same step a no-op.
   * @defaultValue 86400
   */
  keepCompletedSeconds?: number;
  /**
   * Attempts BullMQ makes for prepare, segment and stitch jobs before they fail (exponential backoff from 2 s).
   * @defaultValue 3
   */
  attempts?: number;
  /**
   * Receives connection errors the queues emit (Redis down, reconnecting). Callers see failures through the
   * promises they await; this is for logs.
   * @defaultValue ignore
   */
  onError?: (error: Error) => void;
}

export interface EnqueueOptions {
  /** API priority, 1 (lowest) to 10 (highest). @defaultValue 5 */
  priority?: number;
  /** Milliseconds before the job may run. @defaultValue 0 */
  delayMs?: number;
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new QueueError('QUEUE_BAD_PAYLOAD', message);
}

function checkJobId(jobId: string): void {
  check(typeof jobId === 'string' && isJobId(jobId), `jobId must be a job id (job_...). Received: ${JSON.stringify(jobId)}`);
}

function checkSegment(job: SegmentJob): void {
  checkJobId(job.jobId);
  for (const field of ['segmentIndex', 'firstWindow', 'windowCount', 'frameStart', 'frameEnd'] as const) {
    check(Number.isInteger(job[field]) && job[field] >= 0, `${field} must be an integer >= 0. Received: ${String(job[field])}`);
  }
  check(job.frameEnd > job.frameStart, `frameEnd must be greater than frameStart. Received: ${job.frameStart}..${job.frameEnd}`);
  check(job.windowCount >= 1, `windowCount must be at least 1. Received: ${job.windowCount}`);
}

/**
 * The farm queues of one deployment, with enqueue helpers that give every step a deterministic BullMQ job id
 * (`{jobId}-prepare`, `{jobId}-seg-{i}`, `{jobId}-stitch`, `{jobId}-wh-{event}-{seq}-{attempt}`, `{jobId}-cleanup`):
 * enqueueing a step that is already queued, running or recently finished adds nothing.
 */
export class FarmQueues {
  readonly prefix: string;
  private readonly queues: Readonly<Record<QueueName, Queue>>;
  private readonly keepCompletedSeconds: number;
  private readonly attempts: number;

  constructor(options: FarmQueuesOptions) {
    this.prefix = assertValidPrefix(options.prefix ?? 'pf');
    this.keepCompletedSeconds = options.keepCompletedSeconds ?? 86_400;
    this.attempts = options.attempts ?? 3;
    const onError = options.onError ?? ((): void => {});
    const entries = ALL_QUEUES.map((name) => {
      const queue = new Queue(name, { connection: options.connection, prefix: bullPrefix(this.prefix) });
      queue.on('error', onError);
      return [name, queue];
    });
    this.queues = Object.freeze(Object.fromEntries(entries) as Record<QueueName, Queue>);
  }

  /** The BullMQ Queue behind a name (for inspection and tests). */
  queue(name: QueueName): Queue {
    return this.queues[name];
  }

  private jobOptions(jobId: string, options: EnqueueOptions, retried: boolean): JobsOptions {
    const delay = options.delayMs ?? 0;
    if (!Number.isFinite(delay) || delay < 0) {
      throw new QueueError('QUEUE_BAD_OPTION', `delayMs must be a number >= 0. Received: ${String(options.delayMs)}`);
    }
    return {
      jobId,
      priority: bullPriority(options.priority ?? PRIORITY_RANGE.default),
      ...(delay > 0 ? { delay: Math.round(delay) } : {}),
      removeOnComplete: { age: this.keepCompletedSeconds },
      removeOnFail: { age: 7 * 86_400 },
      ...(retried ? { attempts: this.attempts, backoff: { type: 'exponential', delay: 2000 } } : { attempts: 1 }),
    };
  }

  private async add<Name extends QueueName>(name: Name, jobId: string, payload: QueuePayloads[Name], options: JobsOptions): Promise<string> {
    const job = await this.queues[name].add(name, payload, options);
    return job.id ?? jobId;
  }

  async enqueuePrepare(job: PrepareJob, options: EnqueueOptions = {}): Promise<string> {
    checkJobId(job.jobId);
    const id = prepareJobId(job.jobId);
    return this.add(QUEUE_NAMES.prepare, id, { jobId: job.jobId, tenantId: job.tenantId }, this.jobOptions(id, options, true));
  }

  async enqueueSegment(job: SegmentJob, options: EnqueueOptions = {}): Promise<string> {
    checkSegment(job);
    const id = segmentJobId(job.jobId, job.segmentIndex);
    return this.add(QUEUE_NAMES.segment, id, { ...job }, this.jobOptions(id, options, true));
  }

  async enqueueAudio(job: AudioJob, options: EnqueueOptions = {}): Promise<string> {
    checkJobId(job.jobId);
    const id = audioJobId(job.jobId);
    return this.add(QUEUE_NAMES.audio, id, { jobId: job.jobId }, this.jobOptions(id, options, true));
  }

  async enqueueStitch(job: StitchJob, options: EnqueueOptions = {}): Promise<string> {
    checkJobId(job.jobId);
    const id = stitchJobId(job.jobId);
    return this.add(QUEUE_NAMES.stitch, id, { jobId: job.jobId }, this.jobOptions(id, options, true));
  }

  /**
   * Removes a succeeded job's chunks after `delayMs` (retried like a step); enqueueing it again while one is waiting
   * or recently done adds nothing.
   */
  async enqueueCleanup(job: CleanupJob, options: EnqueueOptions = {}): Promise<string> {
    checkJobId(job.jobId);
    const id = cleanupJobId(job.jobId);
    return this.add(QUEUE_NAMES.cleanup, id, { jobId: job.jobId }, this.jobOptions(id, options, true));
  }

  /** One delivery attempt; the webhook worker enqueues the next attempt itself, with its delay. */
  async enqueueWebhook(job: WebhookJob, options: EnqueueOptions = {}): Promise<string> {
    checkJobId(job.jobId);
    check(Number.isInteger(job.attempt) && job.attempt >= 1, `attempt must be an integer >= 1. Received: ${String(job.attempt)}`);
    const id = webhookJobId(job.jobId, job.event, job.sequence, job.attempt);
    return this.add(QUEUE_NAMES.webhook, id, { ...job }, this.jobOptions(id, options, false));
  }

  /**
   * Enqueues the first delivery of `event` for a job if the job has a webhook subscribed to it; returns the
   * BullMQ id, or null when nothing is subscribed.
   */
  async notify(record: JobRecord, event: JobEventType, sequence = 0, occurredAt: Date = new Date()): Promise<string | null> {
    if (record.webhook === null || !record.webhook.events.includes(event)) return null;
    return this.enqueueWebhook({ jobId: record.id, tenantId: record.tenantId, event, attempt: 1, occurredAt: occurredAt.toISOString(), sequence });
  }

  /**
   * Removes a canceled job's prepare, segment (0 to segmentCount-1), audio and stitch steps that are still waiting or
   * delayed; running ones are locked and left to notice the cancel flag. Returns how many were removed.
   */
  async discardSteps(jobId: string, segmentCount: number): Promise<number> {
    checkJobId(jobId);
    const steps: Array<[QueueName, string]> = [
      [QUEUE_NAMES.prepare, prepareJobId(jobId)],
      [QUEUE_NAMES.audio, audioJobId(jobId)],
      [QUEUE_NAMES.stitch, stitchJobId(jobId)],
      ...Array.from({ length: segmentCount }, (_, i): [QueueName, string] => [QUEUE_NAMES.segment, segmentJobId(jobId, i)]),
    ];
    const removed = await Promise.all(
      steps.map(async ([name, id]) => {
        if ((await this.queues[name].getJob(id)) === undefined) return 0;
        return (await this.queues[name].remove(id).catch(() => 0)) === 1 ? 1 : 0;
      }),
    );
    return removed.reduce<number>((sum, n) => sum + n, 0);
  }

  /** Removes every job of every queue of this prefix (tests and resets only). */
  async obliterate(): Promise<void> {
    await Promise.all(ALL_QUEUES.map((name) => this.queues[name].obliterate({ force: true })));
  }

  async close(): Promise<void> {
    await Promise.all(ALL_QUEUES.map((name) => this.queues[name].close()));
  }
}
