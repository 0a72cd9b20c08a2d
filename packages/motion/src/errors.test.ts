import { describe, expect, it } from 'vitest';
import { MOTION_ERRORS, MotionError } from './errors.ts';

describe('MOTION_ERRORS', () => {
  it('describes every code and errors carry their code', () => {
    for (const [code, entry] of Object.entries(MOTION_ERRORS)) {
      expect(code).toMatch(/^MOTION_[A-Z_]+$/);
      expect(entry.description.length).toBeGreaterThan(10);
    }
    expect(new MotionError('MOTION_CLOSED', 'motion generator is closed')).toMatchObject({ name: 'MotionError', code: 'MOTION_CLOSED' });
  });

  it('retries only work that met a generator closed by its stopping process', () => {
    expect(Object.entries(MOTION_ERRORS).filter(([, entry]) => entry.retryable).map(([code]) => code)).toEqual(['MOTION_CLOSED']);
  });
});
