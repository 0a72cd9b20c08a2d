import { createHash } from 'node:crypto';
import type { JobRecord, JobStore, WebhookAttempt } from '@portrait-farm/jobs';
import { deliver, isWebhookError, nextAttemptDelay } from '@portrait-farm/webhooks';
import type { RetryScheduleOptions, WebhookEvent } from '@portrait-farm/webhooks';
import { Worker } from 'bullmq';

import type { Cluster, Redis } from 'ioredis';
import type { FarmQueues } from './farm-queues.ts';
import type { WebhookJob } from './payloads.ts';
import { readyJobCount } from './queue-depth.ts';
import { bullPrefix, QUEUE_NAMES } from './queue-names.ts';
import { superviseWorker } from './worker-supervisor.ts';
import type { SupervisedWorker, WorkerReplacement } from './worker-supervisor.ts';

export interface WebhookWorkerOptions {
  /** A connection made with role "worker" (maxRetriesPerRequest null); the worker does not close it. */
  connection: Redis | Cluster;
  /** Where the next attempts are enqueued (same prefix as the worker). */
  queues: FarmQueues;
  /** Job records: read for the event data, written with each attempt. */
  jobs: JobStore;
  /** The tenant's signing secret(s) (`whsec_...`), or null when the tenant has none (nothing is sent). */
  secretFor: (tenantId: string) => string | readonly string[] | null;
  /** Retry schedule; see nextAttemptDelay. @defaultValue 5 s, 30 s, 2 min, ... 8 h (±20 %) */
  retry?: RetryScheduleOptions;
  /** @defaultValue false */
  allowLoopback?: boolean;
  /** @defaultValue false */
  allowPrivate?: boolean;
  /** Endpoints (`host:port`) that may be on loopback or private addresses though the flags are off. @defaultValue none */
  allowedHosts?: readonly string[];
  /** @defaultValue 10000 */
  timeoutMs?: number;
  /** Deliveries in flight at once. @defaultValue 8 */
  concurrency?: number;
  /**
   * The event's `data`: the job as GET /v1/jobs/{id} answers it (jobView of @portrait-farm/jobs, the document's Job),
   * built at each attempt (a retry carries the job as it is then, with a fresh download URL).
   */
  eventData: (record: JobRecord, job: WebhookJob) => Promise<object>;
  /** @defaultValue none */
  log?: (line: string) => void;
  /** Told of each attempt's outcome, or 'error' when the attempt threw. @defaultValue nothing */
  onOutcome?: (outcome: WebhookOutcome | 'error') => void;
  /** Told of the Worker's errors (Redis connection errors among them). @defaultValue nothing */
  onError?: (error: Error) => void;
  /** Told when the Worker took no delivery while deliveries were due and was replaced (superviseWorker). @defaultValue nothing */
  onReplaced?: (replacement: WorkerReplacement) => void;
}

/** What one attempt came to (the BullMQ job's return value). */
export type WebhookOutcome = 'delivered' | 'retry-scheduled' | 'gave-up' | 'endpoint-disabled' | 'skipped';

/** The webhook-id of an event: the same for every attempt, different for every event. */
export function webhookMessageId(job: Pick<WebhookJob, 'jobId' | 'event' | 'sequence'>): string {
  const digest = createHash('sha256').update(`${job.jobId}|${job.event}|${job.sequence}`).digest('base64url');
  return `msg_${digest.slice(0, 27)}`;
}

/** Runs one delivery attempt; exported so that it can be driven without a Worker. */
export async function processWebhookJob(payload: WebhookJob, options: WebhookWorkerOptions): Promise<WebhookOutcome> {
  const record = await options.jobs.getById(payload.jobId);
  const webhook = record?.webhook ?? null;
  if (record === null || webhook === null || !webhook.events.includes(payload.event)) return 'skipped';
  const attempt = (fields: Partial<WebhookAttempt>): WebhookAttempt => ({
    event: payload.event,
    attempt: payload.attempt,
    at: new Date().toISOString(),
    ok: false,
    status: null,
    errorCode: null,
    message: null,
    nextAttemptAt: null,
    ...fields,
  });
  if (await options.jobs.isEndpointDisabled(record.tenantId, webhook.url)) {
    await options.jobs.recordWebhookAttempt(record.id, attempt({ errorCode: 'WEBHOOK_ENDPOINT_DISABLED', message: 'The endpoint answered 410 Gone earlier.' }));
    return 'endpoint-disabled';
  }
  const secret = options.secretFor(record.tenantId);
  if (secret === null) {
    await options.jobs.recordWebhookAttempt(record.id, attempt({ errorCode: 'WEBHOOK_NO_SECRET', message: `Tenant ${record.tenantId} has no webhook secret.` }));
    return 'skipped';
  }
  const event: WebhookEvent<object> = {
    type: payload.event,
    timestamp: payload.occurredAt,
    data: await options.eventData(record, payload),
  };
  try {
    const result = await deliver(webhook.url, event, {
      secret,
      messageId: webhookMessageId(payload),
      allowLoopback: options.allowLoopback ?? false,
      allowPrivate: options.allowPrivate ?? false,
      allowedHosts: options.allowedHosts ?? [],
      timeoutMs: options.timeoutMs ?? 10_000,
    });
    await options.jobs.recordWebhookAttempt(record.id, attempt({ ok: true, status: result.status }));
    return 'delivered';
  } catch (error) {
    if (!isWebhookError(error)) throw error;
    const failed = { status: error.status, errorCode: error.code, message: error.message };
    if (error.disableEndpoint) {
      await options.jobs.disableEndpoint(record.tenantId, webhook.url);
      await options.jobs.recordWebhookAttempt(record.id, attempt(failed));
      options.log?.(`webhook ${webhook.url} answered 410 Gone; disabled for tenant ${record.tenantId}`);
      return 'endpoint-disabled';
    }
    const scheduled = error.retryable ? nextAttemptDelay(payload.attempt, options.retry) : null;
    if (scheduled === null) {
      await options.jobs.recordWebhookAttempt(record.id, attempt(failed));
      return 'gave-up';
    }
    const delayMs = Math.max(scheduled, error.retryAfterMs ?? 0);
    await options.jobs.recordWebhookAttempt(record.id, attempt({ ...failed, nextAttemptAt: new Date(Date.now() + delayMs).toISOString() }));
    await options.queues.enqueueWebhook({ ...payload, attempt: payload.attempt + 1 }, { delayMs, priority: record.priority });
    return 'retry-scheduled';
  }
}

/**
 * The BullMQ Worker of the "webhook" queue. Each attempt is one BullMQ job; a failed attempt that may be
 * retried enqueues the next one with the schedule's delay (or the endpoint's Retry-After, if longer), so the
 * schedule and every attempt are visible on the job record. 410 Gone disables the endpoint for the tenant. The
 * Worker is replaced by a new one when it stops taking deliveries that are due (superviseWorker).
 */
export function createWebhookWorker(options: WebhookWorkerOptions): SupervisedWorker<WebhookJob, WebhookOutcome> {
  return superviseWorker<WebhookJob, WebhookOutcome>({
    processor: (job) => processWebhookJob(job.data, options),
    start: (processor) => {
      const worker = new Worker<WebhookJob, WebhookOutcome>(QUEUE_NAMES.webhook, processor, {
        connection: options.connection,
        prefix: bullPrefix(options.queues.prefix),
        concurrency: options.concurrency ?? 8,
      });
      worker.on('error', (error) => options.onError?.(error));
      worker.on('completed', (_job, outcome) => options.onOutcome?.(outcome));
      worker.on('failed', () => options.onOutcome?.('error'));
      return worker;
    },
    readyJobs: () => readyJobCount(options.queues, QUEUE_NAMES.webhook),
    ...(options.onReplaced === undefined ? {} : { onReplaced: options.onReplaced }),
  });
}
