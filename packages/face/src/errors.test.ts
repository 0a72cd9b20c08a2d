import { describe, expect, it } from 'vitest';
import { FACE_ERROR_CODES, FaceError, faceNotFound, type FaceErrorCode } from './errors.ts';

describe('error catalogue', () => {
  it('describes every code once, in the FACE_ / IMAGE_ namespace', () => {
    const codes = Object.keys(FACE_ERROR_CODES) as FaceErrorCode[];
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) {
      expect(code).toMatch(/^(FACE|IMAGE)_[A-Z_]+$/);
      expect(FACE_ERROR_CODES[code].length).toBeGreaterThan(10);
    }
  });

  it('says how to pass a box when no face is found', () => {
    const error = faceNotFound('portrait.jpg', 1024, 768);
    expect(error).toBeInstanceOf(FaceError);
    expect(error.code).toBe('FACE_NOT_FOUND');
    expect(error.message).toBe(
      "No face found in portrait.jpg (1024x768). Pass the face's box with --face-box x,y,width,height (pixels) " +
        'if the portrait has one the detector misses.',
    );
  });
});
