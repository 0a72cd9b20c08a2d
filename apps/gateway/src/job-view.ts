import { jobUrls, jobView as viewOfJob } from '@portrait-farm/jobs';
import type { JobRecord, JobUrls, JobView } from '@portrait-farm/jobs';
import type { GatewayContext } from './context.ts';

export { jobUrls };
export type { JobUrls, JobView };

/** The answer of GET /v1/jobs/{id} (and a webhook's data): the tenant-visible record, its URLs, a presigned download when done. */
export function jobView(ctx: GatewayContext, record: JobRecord): Promise<JobView> {
  return viewOfJob(record, { publicBaseUrl: ctx.config.publicBaseUrl, presignSeconds: ctx.config.presignSeconds, storage: ctx.storage });
}

/** The short form in lists and in the create answer. */
export function jobSummary(ctx: GatewayContext, record: JobRecord): { id: string; status: string; createdAt: string; urls: JobUrls } {
  return { id: record.id, status: record.status, createdAt: record.createdAt.toISOString(), urls: jobUrls(ctx.config.publicBaseUrl, record.id) };
}
