import { describeJob } from './describe-job.ts';
import type { JobDescription } from './describe-job.ts';
import type { JobRecord } from './job-record.ts';

/** Where a client finds a job and what it can do with it (the document's JobUrls). */
export interface JobUrls {
  self: string;
  cancel: string;
  result: string;
  live: string;
  manifest: string;
}

/**
 * A job as clients see it (the document's Job): GET /v1/jobs/{id} answers it and every webhook carries it as its
 * `data`, so both have one shape. A succeeded job's output has a presigned download URL and when it expires.
 */
export type JobView = Omit<JobDescription, 'output'> & {
  urls: JobUrls;
  output: (NonNullable<JobDescription['output']> & { url: string; expiresAt: string }) | null;
};

/** What {@link jobView} needs from the process that builds it (the gateway, or the stitcher for webhooks). */
export interface JobViewContext {
  /** Origin clients reach the gateway at (PORTRAIT_FARM_PUBLIC_URL), without a trailing slash. */
  publicBaseUrl: string;
  /** Lifetime of the output's download URL, in seconds (PORTRAIT_FARM_PRESIGN_SECONDS). */
  presignSeconds: number;
  /** The store holding the output: it presigns the download URL. */
  storage: { presignGet(key: string, options: { expiresSeconds: number }): Promise<string> };
  /** @defaultValue Date.now */
  now?: () => number;
}

export function jobUrls(baseUrl: string, id: string): JobUrls {
  const self = `${baseUrl}/v1/jobs/${id}`;
  return { self, cancel: `${self}/cancel`, result: `${self}/result`, live: `${self}/live.m3u8`, manifest: `${self}/manifest` };
}

/** The tenant-visible record, its URLs, and a presigned download once it has succeeded. */
export async function jobView(record: JobRecord, context: JobViewContext): Promise<JobView> {
  const description = describeJob(record);
  let output: JobView['output'] = null;
  if (description.output !== null && record.output !== null && record.status === 'succeeded') {
    const seconds = context.presignSeconds;
    const now = (context.now ?? Date.now)();
    output = {
      ...description.output,
      url: await context.storage.presignGet(record.output.key, { expiresSeconds: seconds }),
      expiresAt: new Date(now + seconds * 1000).toISOString(),
    };
  }
  return { ...description, output, urls: jobUrls(context.publicBaseUrl, record.id) };
}
