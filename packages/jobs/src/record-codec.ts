import type { JobPlan, JobRecord, JobTimings, NewJob } from './job-record.ts';
import { isJobStatus, JOB_STATUSES } from './job-status.ts';
import type { JobStatus } from './job-status.ts';

/** Hash fields of a freshly created job (everything is a string in Redis). */
export function encodeNewJob(job: NewJob, now: number): string[] {
  const fields: Record<string, string> = {
    id: job.id,
    tenantId: job.tenantId,
    status: 'queued',
    createdAt: String(now),
    updatedAt: String(now),
    'at:queued': String(now),
    options: JSON.stringify(job.options),
    inputs: JSON.stringify(job.inputs),
    webhook: job.webhook === null ? '' : JSON.stringify(job.webhook),
    consent: JSON.stringify(job.consent),
    priority: String(job.priority),
    idempotencyKey: job.idempotencyKey ?? '',
    requestHash: job.requestHash,
    retryOf: job.retryOf ?? '',
    segmentsDone: '0',
    segmentsTotal: '0',
    framesDone: '0',
    framesTotal: '0',
  };
  return Object.entries(fields).flat();
}

function json<T>(text: string | undefined): T | null {
  return text === undefined || text === '' ? null : (JSON.parse(text) as T);
}

function int(text: string | undefined): number {
  const value = Number(text ?? '0');
  return Number.isFinite(value) ? value : 0;
}

function timings(times: Partial<Record<JobStatus, number>>, hash: Record<string, string>): JobTimings {
  const leftAt = (status: JobStatus): number | null => {
    const start = JOB_STATUSES.indexOf(status);
    let end: number | null = null;
    for (const later of JOB_STATUSES.slice(start + 1)) {
      const at = times[later];
      if (at !== undefined && (end === null || at < end)) end = at;
    }
    return end;
  };
  const spent = (status: JobStatus): number | null => {
    const start = times[status];
    const end = leftAt(status);
    return start === undefined || end === null ? null : (end - start) / 1000;
  };
  const finished = times.succeeded ?? times.failed ?? times.canceled;
  const work: Record<string, number> = {};
  for (const [field, value] of Object.entries(hash)) {
    if (field.startsWith('work:')) work[field.slice(5)] = Number(value);
  }
  return {
    queued: spent('queued'),
    preparing: spent('preparing'),
    rendering: spent('rendering'),
    stitching: spent('stitching'),
    total: finished === undefined || times.queued === undefined ? null : (finished - times.queued) / 1000,
    work,
  };
}

/** Parses HGETALL's answer; null when the hash is empty or not a job. */
export function decodeJob(hash: Record<string, string>): JobRecord | null {
  const status = hash['status'];
  if (hash['id'] === undefined || !isJobStatus(status)) return null;
  const times: Partial<Record<JobStatus, number>> = {};
  for (const s of JOB_STATUSES) {
    const at = hash[`at:${s}`];
    if (at !== undefined) times[s] = Number(at);
  }
  return {
    id: hash['id'],
    tenantId: hash['tenantId'] ?? '',
    status,
    createdAt: new Date(int(hash['createdAt'])),
    updatedAt: new Date(int(hash['updatedAt'])),
    statusTimes: times,
    options: json(hash['options']) ?? { fps: 25, mode: 'full', seed: 0 },
    inputs: json(hash['inputs'])!,
    webhook: json(hash['webhook']),
    consent: json(hash['consent']),
    priority: int(hash['priority']),
    idempotencyKey: hash['idempotencyKey'] === '' ? null : (hash['idempotencyKey'] ?? null),
    requestHash: hash['requestHash'] ?? '',
    progress: {
      segmentsDone: int(hash['segmentsDone']),
      segmentsTotal: int(hash['segmentsTotal']),
      framesDone: int(hash['framesDone']),
      framesTotal: int(hash['framesTotal']),
    },
    timings: timings(times, hash),
    plan: json<JobPlan>(hash['plan']),
    error: json(hash['error']),
    output: json(hash['output']),
    cancelRequested: hash['cancelRequested'] === '1',
    retryOf: hash['retryOf'] === undefined || hash['retryOf'] === '' ? null : hash['retryOf'],
  };
}
