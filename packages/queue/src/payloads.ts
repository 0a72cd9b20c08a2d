import type { JobEventType } from '@portrait-farm/jobs';
import type { QueueName } from './queue-names.ts';

/** Decode audio, analyse the face, plan segments, store plan and features, start the segment chain. */
export interface PrepareJob {
  jobId: string;
  tenantId: string;
}

/** Frames [frameStart, frameEnd) of one job, made from motion windows [firstWindow, firstWindow + windowCount). */
export interface SegmentJob {
  jobId: string;
  segmentIndex: number;
  firstWindow: number;
  windowCount: number;
  frameStart: number;
  frameEnd: number;
}

/** Encode the original audio into the final video's AAC track (`work/audio.m4a`) while the segments render. */
export interface AudioJob {
  jobId: string;
}

/** Concatenate every chunk, mux the original audio, store the final MP4, finish the job. */
export interface StitchJob {
  jobId: string;
}

/**
 * Remove a succeeded job's chunks (its live stream), delayed until players still reading the live playlist are
 * done with it.
 */
export interface CleanupJob {
  jobId: string;
}

/** One delivery attempt of one event of one job. */
export interface WebhookJob {
  jobId: string;
  tenantId: string;
  event: JobEventType;
  /** 1 for the first attempt. */
  attempt: number;
  /** When the event happened (ISO 8601); the same on every attempt. */
  occurredAt: string;
  /** Tells repeated events of one type apart (job.progress: segments done); 0 for the others. */
  sequence: number;
}

/** Payload type of each queue. */
export interface QueuePayloads {
  prepare: PrepareJob;
  segment: SegmentJob;
  audio: AudioJob;
  stitch: StitchJob;
  webhook: WebhookJob;
  cleanup: CleanupJob;
}

export type PayloadOf<Name extends QueueName> = QueuePayloads[Name];
