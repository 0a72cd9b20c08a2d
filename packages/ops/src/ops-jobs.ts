import { isJobId, isJobStatusGroup, JOB_STATUS_GROUPS, MAX_STATUS_PAGE } from '@portrait-farm/jobs';
import type { JobIndex } from '@portrait-farm/jobs';
import { OpsError } from './errors.ts';
import { opsJobRow } from './ops-views.ts';
import type { OpsJobRow } from './ops-views.ts';

export interface OpsJobsQuery {
  /** queued, running (preparing, rendering, stitching), succeeded, failed or canceled; none: every job. */
  status?: string;
  /** 1 to 200. @defaultValue 50 */
  limit?: number;
  /** The `next` of the previous page. */
  cursor?: string;
}

export interface OpsJobsPage {
  /** Newest first. */
  jobs: OpsJobRow[];
  /** Opaque: pass as `cursor` for the next (older) page; null on the last. */
  next: string | null;
}

const encodeCursor = (id: string): string => Buffer.from(id, 'utf8').toString('base64url');

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isJobId(id)) throw new OpsError('OPS_BAD_ARGUMENT', `cursor must be the "next" of a previous page. Received: ${JSON.stringify(cursor)}`);
  return id;
}

/** A page of every tenant's jobs, newest first, optionally of one status group. */
export async function listOpsJobs(index: JobIndex, query: OpsJobsQuery = {}): Promise<OpsJobsPage> {
  const status = query.status;
  if (status !== undefined && !isJobStatusGroup(status)) {
    throw new OpsError('OPS_BAD_ARGUMENT', `status must be one of ${JOB_STATUS_GROUPS.join(', ')}. Received: ${JSON.stringify(status)}`);
  }
  const limit = query.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_STATUS_PAGE) {
    throw new OpsError('OPS_BAD_ARGUMENT', `limit must be an integer between 1 and ${MAX_STATUS_PAGE}. Received: ${String(query.limit)}`);
  }
  const cursor = query.cursor === undefined || query.cursor === '' ? null : decodeCursor(query.cursor);
  const page = await index.listByStatus({ status: status ?? null, limit, cursor });
  return { jobs: page.jobs.map(opsJobRow), next: page.nextCursor === null ? null : encodeCursor(page.nextCursor) };
}
