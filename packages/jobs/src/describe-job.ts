import type { JobConsent, JobError, JobOptions, JobProgress, JobRecord } from './job-record.ts';
import type { JobStatus } from './job-status.ts';

/** The part of a job record that its tenant may see (no storage keys, no hashes); the API and webhooks send it. */
export interface JobDescription {
  id: string;
  status: JobStatus;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  priority: number;
  options: JobOptions;
  /** The consent attestation sent with the job (null on records made before it was required). */
  consent: JobConsent | null;
  progress: JobProgress;
  timings: {
    queuedSeconds: number | null;
    preparingSeconds: number | null;
    renderingSeconds: number | null;
    stitchingSeconds: number | null;
    totalSeconds: number | null;
    work: Record<string, number>;
  };
  error: JobError | null;
  output: { size: number; durationSeconds: number; sha256: string } | null;
  input: {
    image: { width: number; height: number; format: string; size: number };
    audio: { durationSeconds: number; size: number };
    /** The avatar the job was made from, or null. */
    avatar: string | null;
  };
}

export function describeJob(record: JobRecord): JobDescription {
  const times = record.statusTimes;
  const finished = times.succeeded ?? times.failed ?? times.canceled;
  const { image, audio } = record.inputs;
  return {
    id: record.id,
    status: record.status,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    finishedAt: finished === undefined ? null : new Date(finished).toISOString(),
    priority: record.priority,
    options: record.options,
    consent: record.consent,
    progress: record.progress,
    timings: {
      queuedSeconds: record.timings.queued,
      preparingSeconds: record.timings.preparing,
      renderingSeconds: record.timings.rendering,
      stitchingSeconds: record.timings.stitching,
      totalSeconds: record.timings.total,
      work: record.timings.work,
    },
    error: record.error,
    output:
      record.output === null
        ? null
        : { size: record.output.size, durationSeconds: record.output.durationSeconds, sha256: record.output.sha256 },
    input: {
      image: { width: image.width, height: image.height, format: image.format, size: image.size },
      audio: { durationSeconds: audio.durationSeconds, size: audio.size },
      avatar: record.inputs.avatar?.id ?? null,
    },
  };
}
