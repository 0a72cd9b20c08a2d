import { describe, expect, it } from 'vitest';
import { FACE_ERRORS, FaceError, type FaceErrorCode } from './errors.ts';

describe('error catalogue', () => {
  it('describes every code once, in the FACE_ / IMAGE_ namespace', () => {
    const codes = Object.keys(FACE_ERRORS) as FaceErrorCode[];
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) {
      expect(code).toMatch(/^(FACE|IMAGE)_[A-Z_]+$/);
      expect(FACE_ERRORS[code].description.length).toBeGreaterThan(10);
    }
  });

  it('retries only a step that met an analyzer closed by its stopping process', () => {
    expect(Object.entries(FACE_ERRORS).filter(([, entry]) => entry.retryable).map(([code]) => code)).toEqual(['FACE_ANALYZER_CLOSED']);
    expect(new FaceError('FACE_NOT_FOUND', 'm')).toMatchObject({ name: 'FaceError', code: 'FACE_NOT_FOUND', retryable: false });
  });
});
