import { describe, expect, it } from 'vitest';
import { FACE_ERRORS, FaceError, faceNotFound, type FaceErrorCode } from './errors.ts';

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

  it('says how to pass a box when no face is found', () => {
    const error = faceNotFound('portrait.jpg', 1024, 768);
    expect(error).toBeInstanceOf(FaceError);
    expect(error.code).toBe('FACE_NOT_FOUND');
    expect(error.message).toBe(
      'No face found in portrait.jpg (1024x768). If the portrait has one the detector misses, pass its box in ' +
        'pixels: options.faceBox {x, y, width, height} in the API, --face-box x,y,width,height in the CLI.',
    );
  });
});
