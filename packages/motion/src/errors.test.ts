import { describe, expect, it } from 'vitest';
import { MOTION_ERROR_CODES, MotionError } from './errors.ts';

describe('MOTION_ERROR_CODES', () => {
  it('describes every code and errors carry their code', () => {
    for (const [code, description] of Object.entries(MOTION_ERROR_CODES)) {
      expect(code).toMatch(/^MOTION_[A-Z_]+$/);
      expect(description.length).toBeGreaterThan(10);
    }
    expect(new MotionError('MOTION_CLOSED', 'motion generator is closed')).toMatchObject({ name: 'MotionError', code: 'MOTION_CLOSED' });
  });
});
