import { jobStorageKeys } from '@portrait-farm/jobs';

/** Working objects of a job under `jobs/{id}/work/`: the prepared clip and each segment's relay. */
export const workKeys = Object.freeze({
  clip: (jobId: string) => `${jobStorageKeys.workPrefix(jobId)}clip.bin`,
  relay: (jobId: string, index: number) => `${jobStorageKeys.workPrefix(jobId)}relay-${index}.bin`,
});
