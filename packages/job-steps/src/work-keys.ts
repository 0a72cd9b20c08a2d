import { jobStorageKeys } from '@portrait-farm/jobs';

/**
 * Working objects of a job under `jobs/{id}/work/`: the prepared clip, its audio samples (read by range), each
 * segment's relay, the AAC track.
 */
export const workKeys = Object.freeze({
  clip: (jobId: string) => `${jobStorageKeys.workPrefix(jobId)}clip.bin`,
  samples: (jobId: string) => `${jobStorageKeys.workPrefix(jobId)}samples.f32`,
  audioTrack: (jobId: string) => `${jobStorageKeys.workPrefix(jobId)}audio.m4a`,
  relay: (jobId: string, index: number) => `${jobStorageKeys.workPrefix(jobId)}relay-${index}.bin`,
});
