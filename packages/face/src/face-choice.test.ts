import { describe, expect, it } from 'vitest';
import { FaceError } from './errors.ts';
import { API_FACE_OPTION_NAMES, checkFaceBoxSize, chooseFace, DOMINANT_AREA_RATIO, MIN_FACE_WIDTH, type FoundFace } from './face-choice.ts';

const face = (x: number, width: number, height = width): FoundFace => ({ box: { x, y: 10, width, height }, score: 0.9 });
const portrait = { name: 'photo.jpg', width: 1200, height: 800 };

function refusal(run: () => unknown): FaceError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FaceError);
    return error as FaceError;
  }
  throw new Error('expected a FaceError');
}

describe('chooseFace: the one rule of the gateway and the engine', () => {
  it('takes a single face large enough', () => {
    const only = face(100, 200);
    expect(chooseFace([only], {}, portrait)).toEqual({ face: only, index: 0 });
  });

  it('refuses no face, naming the faceBox option in the spelling asked for', () => {
    const error = refusal(() => chooseFace([], {}, portrait, API_FACE_OPTION_NAMES));
    expect(error.code).toBe('FACE_NOT_FOUND');
    expect(error.message).toBe(
      'No face found in photo.jpg (1200x800). If the portrait has one the detector misses, pass its box in pixels: options.faceBox {x, y, width, height}.',
    );
  });

  it('takes the largest face without faceIndex only when it dominates the next one by area', () => {
    const big = face(600, 300);
    const background = face(50, Math.floor(300 / Math.sqrt(DOMINANT_AREA_RATIO)) - 1);
    expect(chooseFace([background, big], {}, portrait).face).toBe(big);
    const similar = face(50, 260);
    const error = refusal(() => chooseFace([similar, big], {}, portrait, API_FACE_OPTION_NAMES));
    expect(error.code).toBe('FACE_AMBIGUOUS');
    expect(error.message).toBe(
      '2 faces of similar size found in photo.jpg (1200x800), largest first: #0: 300x300 px at x 600, y 10; #1: 260x260 px at x 50, y 10. ' +
        'Choose the face to animate with options.faceIndex (0 = largest), or pass its box: options.faceBox {x, y, width, height}. ' +
        "(Without a choice the largest face is taken only when its area is at least 2x the next one's.)",
    );
  });

  it('takes the face faceIndex names, counted from the largest, and refuses one beyond the faces found', () => {
    const faces = [face(50, 260), face(600, 300), face(900, 120)];
    expect(chooseFace(faces, { faceIndex: 0 }, portrait).face.box.x).toBe(600);
    expect(chooseFace(faces, { faceIndex: 2 }, portrait)).toMatchObject({ index: 2, face: { box: { x: 900 } } });
    const error = refusal(() => chooseFace(faces, { faceIndex: 3 }, portrait));
    expect(error.code).toBe('FACE_INDEX_OUT_OF_RANGE');
    expect(error.message).toContain('3 faces found in photo.jpg');
    expect(error.message).toContain('faceIndex must be between 0 and 2 (0 = largest)');
    expect(refusal(() => chooseFace(faces, { faceIndex: -1 }, portrait)).code).toBe('FACE_INDEX_OUT_OF_RANGE');
    expect(refusal(() => chooseFace(faces, { faceIndex: 1.5 }, portrait)).code).toBe('FACE_INDEX_OUT_OF_RANGE');
  });

  it('refuses a face narrower than the minimum, naming its size and the minimum', () => {
    expect(chooseFace([face(10, MIN_FACE_WIDTH)], {}, portrait).index).toBe(0);
    const error = refusal(() => chooseFace([face(10, MIN_FACE_WIDTH - 1, 70)], {}, portrait));
    expect(error.code).toBe('FACE_TOO_SMALL');
    expect(error.message).toBe(
      'The face in photo.jpg is 47x70 pixels; a face must be at least 48 pixels wide to be animated (the video draws it 215 pixels wide). ' +
        'Send a larger portrait, or one cropped closer to the face.',
    );
    const chosen = refusal(() => chooseFace([face(10, 200), face(400, 40)], { faceIndex: 1 }, portrait));
    expect(chosen.message).toMatch(/^Face #1 in photo.jpg is 40x40 pixels/);
  });

  it('applies the size rule to a passed faceBox', () => {
    expect(() => checkFaceBoxSize({ x: 0, y: 0, width: 64, height: 80 })).not.toThrow();
    const error = refusal(() => checkFaceBoxSize({ x: 0, y: 0, width: 30, height: 40 }, API_FACE_OPTION_NAMES));
    expect(error.code).toBe('FACE_TOO_SMALL');
    expect(error.message).toMatch(/^The face box passed \(options.faceBox \{x, y, width, height\}\) is 30x40 pixels; a face must be at least 48/);
  });
});
