import { QueueError } from './errors.ts';

/** API priorities: 1 (lowest) to 10 (highest). */
export const PRIORITY_RANGE = Object.freeze({ min: 1, max: 10, default: 5 });

/**
 * BullMQ priority for an API priority: BullMQ runs 1 first, so 10 maps to 1 and 1 to 10. Every job gets a
 * priority (never 0, which BullMQ treats as a separate, unprioritised list).
 */
export function bullPriority(priority: number): number {
  if (!Number.isInteger(priority) || priority < PRIORITY_RANGE.min || priority > PRIORITY_RANGE.max) {
    throw new QueueError(
      'QUEUE_BAD_OPTION',
      `priority must be an integer between ${PRIORITY_RANGE.min} and ${PRIORITY_RANGE.max}. Received: ${String(priority)}`,
    );
  }
  return PRIORITY_RANGE.max + 1 - priority;
}
