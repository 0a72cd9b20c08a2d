import { describeJob } from '@portrait-farm/jobs';
import type { JobDescription, JobRecord } from '@portrait-farm/jobs';
import type { GatewayContext } from './context.ts';

export interface JobUrls {
  self: string;
  cancel: string;
  result: string;
  live: string;
}

export type JobView = Omit<JobDescription, 'output'> & {
  urls: JobUrls;
  output: (NonNullable<JobDescription['output']> & { url: string; expiresAt: string }) | null;
};

export function jobUrls(baseUrl: string, id: string): JobUrls {
  const self = `${baseUrl}/v1/jobs/${id}`;
  return { self, cancel: `${self}/cancel`, result: `${self}/result`, live: `${self}/live.m3u8` };
}

/** The answer of GET /v1/jobs/{id}: the tenant-visible record, its URLs, and a presigned download when done. */
export async function jobView(ctx: GatewayContext, record: JobRecord): Promise<JobView> {
  const description = describeJob(record);
  let output: JobView['output'] = null;
  if (description.output !== null && record.output !== null && record.status === 'succeeded') {
    const seconds = ctx.config.presignSeconds;
    output = {
      ...description.output,
      url: await ctx.storage.presignGet(record.output.key, { expiresSeconds: seconds }),
      expiresAt: new Date(Date.now() + seconds * 1000).toISOString(),
    };
  }
  return { ...description, output, urls: jobUrls(ctx.config.publicBaseUrl, record.id) };
}

/** The short form in lists and in the create answer. */
export function jobSummary(ctx: GatewayContext, record: JobRecord): { id: string; status: string; createdAt: string; urls: JobUrls } {
  return { id: record.id, status: record.status, createdAt: record.createdAt.toISOString(), urls: jobUrls(ctx.config.publicBaseUrl, record.id) };
}
