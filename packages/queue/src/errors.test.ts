import { describe, expect, it } from 'vitest';
import { QUEUE_ERRORS } from './errors.ts';
import { bullPriority } from './priority.ts';
import { ALL_QUEUES, QUEUE_NAMES } from './queue-names.ts';

describe('queue constants', () => {
  it('keeps a catalogue of QUEUE_ codes with descriptions', () => {
    for (const [code, entry] of Object.entries(QUEUE_ERRORS)) {
      expect(code).toMatch(/^QUEUE_[A-Z_]+$/);
      expect(entry.description).toMatch(/\.$/);
      expect(entry.retryable).toBe(false);
    }
  });

  it('names the queues in pipeline order, frozen', () => {
    expect(ALL_QUEUES).toEqual(['prepare', 'segment', 'audio', 'stitch', 'webhook', 'cleanup']);
    expect(Object.isFrozen(QUEUE_NAMES)).toBe(true);
  });

  it('maps API priorities 1..10 onto BullMQ priorities 10..1', () => {
    expect([1, 5, 10].map(bullPriority)).toEqual([10, 6, 1]);
    expect(() => bullPriority(0)).toThrow('priority must be an integer between 1 and 10. Received: 0');
  });
});
