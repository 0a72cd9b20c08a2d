import type { JobStatus } from './job-status.ts';

import type { JobOptions, RenderControls } from '@portrait-farm/contracts';

export type { Emotion, JobOptions, Solver } from '@portrait-farm/contracts';
/** Controls acting on the motion channels (the engine's RenderControls). */
export type JobControls = RenderControls;

export const JOB_EVENT_TYPES = Object.freeze(['job.succeeded', 'job.failed', 'job.canceled', 'job.progress'] as const);
export type JobEventType = (typeof JOB_EVENT_TYPES)[number];

export interface JobWebhook {
  url: string;
  events: JobEventType[];
}

/** One stored input: where it lies in object storage and what the gateway measured. */
export interface JobInput {
  key: string;
  size: number;
  sha256: string;
  contentType: string | null;
}

export interface JobImageInput extends JobInput {
  width: number;
  height: number;
  format: string;
}

export interface JobAudioInput extends JobInput {
  durationSeconds: number;
}

export interface JobInputs {
  /** The job's own copy of the portrait (an avatar's too, so deleting the avatar never breaks the job). */
  image: JobImageInput;
  audio: JobAudioInput;
  /** The avatar the job was made from (POST /v1/jobs with `avatar`): prepare reads its prepared portrait. */
  avatar?: { id: string };
}

/**
 * The submitter's consent attestation, required with every job: they affirm that they have the right to animate the
 * portrait (the person's consent, or the rights to the image) and to use the voice.
 */
export interface JobConsent {
  attestation: true;
  /** The submitter's own words, if given (at most 500 characters). */
  statement: string | null;
  /** When the gateway received it (ISO 8601). */
  at: string;
}

export interface JobError {
  code: string;
  message: string;
}

export interface JobOutput {
  key: string;
  size: number;
  durationSeconds: number;
  sha256: string;
}

export interface JobProgress {
  segmentsDone: number;
  segmentsTotal: number;
  framesDone: number;
  framesTotal: number;
}

/** One segment of the plan: frames [frameStart, frameEnd) made from windows [firstWindow, firstWindow+windowCount). */
export interface PlannedSegment {
  index: number;
  firstWindow: number;
  windowCount: number;
  frameStart: number;
  frameEnd: number;
}

/** What "prepare" decided: frame rate, length and segments (the live playlist reads chunk durations from it). */
export interface JobPlan {
  /** The model pack the worker rendered with (plans made before it was recorded lack it). */
  pack?: { name: string; version: string };
  fps: number;
  frameCount: number;
  durationSeconds: number;
  segments: PlannedSegment[];
}

/** Seconds spent in each status (null while not reached), from the transition times. */
export interface JobTimings {
  queued: number | null;
  preparing: number | null;
  rendering: number | null;
  stitching: number | null;
  total: number | null;
  /** Durations workers added with `addWorkSeconds` (e.g. denoise, render, encode summed over segments). */
  work: Record<string, number>;
}

/** Everything the store keeps about a job. */
export interface JobRecord {
  id: string;
  tenantId: string;
  status: JobStatus;
  createdAt: Date;
  updatedAt: Date;
  /** When the job entered each status it has been in (ms since the epoch). */
  statusTimes: Partial<Record<JobStatus, number>>;
  options: JobOptions;
  inputs: JobInputs;
  webhook: JobWebhook | null;
  /** The consent attestation; null only on records made before the gateway required one. */
  consent: JobConsent | null;
  /** 1 (lowest) to 10 (highest). */
  priority: number;
  idempotencyKey: string | null;
  requestHash: string;
  progress: JobProgress;
  timings: JobTimings;
  plan: JobPlan | null;
  error: JobError | null;
  output: JobOutput | null;
  cancelRequested: boolean;
  /** The failed or canceled job this one runs again (an operator's retry), or null. */
  retryOf: string | null;
}

/** What a creator supplies; the store adds id, status, times and counters. */
export interface NewJob {
  id: string;
  tenantId: string;
  options: JobOptions;
  inputs: JobInputs;
  webhook: JobWebhook | null;
  consent: JobConsent;
  priority: number;
  /** The client's Idempotency-Key header, or null. */
  idempotencyKey: string | null;
  /** Digest of everything in the request that defines the job (inputs' bytes, options, webhook, priority). */
  requestHash: string;
  /** The failed or canceled job this one runs again (an operator's retry). @defaultValue null */
  retryOf?: string | null;
}

/** One webhook delivery attempt, as recorded on the job. */
export interface WebhookAttempt {
  event: JobEventType;
  attempt: number;
  at: string;
  ok: boolean;
  status: number | null;
  errorCode: string | null;
  message: string | null;
  /** When the next attempt is due, or null (delivered, given up, or endpoint disabled). */
  nextAttemptAt: string | null;
}
