import { jobUrls, jobView as viewOfJob } from '@portrait-farm/jobs';
import type { JobEventType, JobRecord, JobUrls, JobView, WebhookAttempt } from '@portrait-farm/jobs';
import type { GatewayContext } from './context.ts';

export { jobUrls };
export type { JobUrls, JobView };

/** Delivery attempts a job's status shows (the newest). */
const DELIVERIES_SHOWN = 10;

/** What GET /v1/jobs/{id} adds to the Job a webhook carries: where its webhooks go and how the last deliveries went. */
export type JobStatusView = JobView & {
  /** The job's place in its tenant's hold (1 = next), null when it is not held. */
  queuePosition: number | null;
  webhook: { url: string; events: JobEventType[]; deliveries: WebhookAttempt[] } | null;
};

/** A webhook's data: the tenant-visible record, its URLs, a presigned download when done. */
export function jobView(ctx: GatewayContext, record: JobRecord): Promise<JobView> {
  return viewOfJob(record, { publicBaseUrl: ctx.config.publicBaseUrl, presignSeconds: ctx.config.presignSeconds, storage: ctx.storage });
}

/** The answer of GET /v1/jobs/{id} and of cancel: {@link jobView} and the webhook with its last delivery outcomes. */
export async function jobStatusView(ctx: GatewayContext, record: JobRecord): Promise<JobStatusView> {
  const [view, attempts, queuePosition] = await Promise.all([
    jobView(ctx, record),
    record.webhook === null ? Promise.resolve([]) : ctx.jobs.webhookAttempts(record.id, DELIVERIES_SHOWN),
    record.status === 'queued' ? ctx.jobs.queuePosition(record) : Promise.resolve(null),
  ]);
  const webhook = record.webhook === null ? null : { url: record.webhook.url, events: record.webhook.events, deliveries: attempts };
  return { ...view, queuePosition, webhook };
}

/** The short form in lists and in the create answer. */
export function jobSummary(ctx: GatewayContext, record: JobRecord): { id: string; status: string; createdAt: string; urls: JobUrls } {
  return { id: record.id, status: record.status, createdAt: record.createdAt.toISOString(), urls: jobUrls(ctx.config.publicBaseUrl, record.id) };
}
