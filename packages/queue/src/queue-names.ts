/**
 * The farm's queues, in pipeline order: one "prepare" per job, then its "segment" jobs (several workers at
 * once) and, beside them, one "audio" (the sound track encoded for the final video), one "stitch", "webhook"
 * deliveries, and after success one delayed "cleanup" (the live stream's chunks removed once players are done).
 * The values are the BullMQ queue names.
 */
export const QUEUE_NAMES = Object.freeze({
  prepare: 'prepare',
  segment: 'segment',
  audio: 'audio',
  stitch: 'stitch',
  webhook: 'webhook',
  cleanup: 'cleanup',
} as const);

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

export const ALL_QUEUES: readonly QueueName[] = Object.freeze(Object.values(QUEUE_NAMES));

/** BullMQ key prefix for a deployment prefix: queues live under `{prefix}:q:{name}:*`. */
export function bullPrefix(prefix: string): string {
  return `${prefix}:q`;
}
