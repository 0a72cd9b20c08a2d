/**
 * The farm's queues, in pipeline order: one "prepare" per job, then its "segment" jobs (several workers at
 * once) and, beside them, one "audio" (the sound track encoded for the final video), one "stitch", and "webhook"
 * deliveries. The values are the BullMQ queue names.
 */
export const QUEUE_NAMES = Object.freeze({
  prepare: 'prepare',
  segment: 'segment',
  audio: 'audio',
  stitch: 'stitch',
  webhook: 'webhook',
} as const);

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

export const ALL_QUEUES: readonly QueueName[] = Object.freeze(Object.values(QUEUE_NAMES));

/** BullMQ key prefix for a deployment prefix: queues live under `{prefix}:q:{name}:*`. */
export function bullPrefix(prefix: string): string {
  return `${prefix}:q`;
}
