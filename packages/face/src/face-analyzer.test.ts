import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyAffine, composeAffine } from './affine.ts';
import { decodeImage } from './decode-image.ts';
import { FaceError } from './errors.ts';
import { bilinear } from './image-sampling.ts';
import type { FaceAnalysis } from './face-analysis.ts';
import { createFaceAnalyzer, type FaceAnalyzer } from './face-analyzer.ts';
import { ASTRONAUT, drawing, gradient, painting, reframed, smallFaceInBigPhoto, turned, twoFaces } from './testing/test-images.ts';
import { warpToCrop } from './warp-to-crop.ts';

const MODELS_DIR = fileURLToPath(new URL('../../../models/face/', import.meta.url));

let analyzer: FaceAnalyzer;
let astronaut: FaceAnalysis;

const point = (a: FaceAnalysis, i: number): [number, number, number] => [
  a.landmarks[i * 3] ?? NaN,
  a.landmarks[i * 3 + 1] ?? NaN,
  a.landmarks[i * 3 + 2] ?? NaN,
];
const eyeDistance = (a: FaceAnalysis): number => Math.hypot(point(a, 473)[0] - point(a, 468)[0], point(a, 473)[1] - point(a, 468)[1]);

/** Largest and mean 2-D distance between the landmarks of `a`, mapped by `map`, and those of `b`. */
function landmarkError(a: FaceAnalysis, b: FaceAnalysis, map: (x: number, y: number) => [number, number]): { max: number; mean: number } {
  let max = 0;
  let sum = 0;
  for (let i = 0; i < 478; i++) {
    const [x, y] = map(point(a, i)[0], point(a, i)[1]);
    const d = Math.hypot(x - point(b, i)[0], y - point(b, i)[1]);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / 478 };
}

async function failure(promise: Promise<unknown>): Promise<FaceError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(FaceError);
  return error as FaceError;
}

beforeAll(async () => {
  analyzer = await createFaceAnalyzer({ modelsDir: MODELS_DIR, providers: ['cpu'] });
  astronaut = await analyzer.analyze(ASTRONAUT);
});

afterAll(async () => {
  await analyzer.close();
});

describe('face analysis of the astronaut portrait', () => {
  it('finds exactly one face with a plausible box and a high score', async () => {
    expect(astronaut.imageWidth).toBe(512);
    expect(astronaut.imageHeight).toBe(512);
    expect(astronaut.score).toBeGreaterThan(0.9);
    const { box } = astronaut;
    expect(box.x).toBeGreaterThan(150);
    expect(box.x + box.width).toBeLessThan(300);
    expect(box.y).toBeGreaterThan(40);
    expect(box.y + box.height).toBeLessThan(210);
    expect(box.width).toBeGreaterThan(70);
    const error = await failure(analyzer.analyze(ASTRONAUT, { faceIndex: 1 }));
    expect(error.code).toBe('FACE_INDEX_OUT_OF_RANGE');
    expect(error.message).toContain('1 face found');
  });

  it('returns 478 sub-pixel landmarks inside the face region', () => {
    expect(astronaut.landmarks).toHaveLength(478 * 3);
    const { box } = astronaut;
    let fractional = 0;
    for (let i = 0; i < 478; i++) {
      const [x, y, z] = point(astronaut, i);
      expect(x).toBeGreaterThanOrEqual(box.x - 1);
      expect(x).toBeLessThanOrEqual(box.x + box.width + 1);
      expect(y).toBeGreaterThanOrEqual(box.y - 1);
      expect(y).toBeLessThanOrEqual(box.y + box.height + 1);
      expect(Number.isFinite(z)).toBe(true);
      if (Math.abs(x - Math.round(x)) > 0.01) fractional++;
    }
    expect(fractional).toBeGreaterThan(400);
  });

  it('puts eyes, irises, nose and mouth where they belong', () => {
    const [rOuter, rInner, lInner, lOuter] = [33, 133, 362, 263].map((i) => point(astronaut, i));
    const rightIris = point(astronaut, 468);
    const leftIris = point(astronaut, 473);
    // Subject's right eye is on the image left.
    expect(rightIris[0]).toBeGreaterThan(rOuter![0]);
    expect(rightIris[0]).toBeLessThan(rInner![0]);
    expect(leftIris[0]).toBeGreaterThan(lInner![0]);
    expect(leftIris[0]).toBeLessThan(lOuter![0]);
    expect(Math.abs(rightIris[1] - (rOuter![1] + rInner![1]) / 2)).toBeLessThan(4);
    // Iris boundary points: image-right, top, image-left, bottom of their centre.
    for (const c of [468, 473]) {
      const [cx, cy] = point(astronaut, c);
      expect(point(astronaut, c + 1)[0]).toBeGreaterThan(cx);
      expect(point(astronaut, c + 2)[1]).toBeLessThan(cy);
      expect(point(astronaut, c + 3)[0]).toBeLessThan(cx);
      expect(point(astronaut, c + 4)[1]).toBeGreaterThan(cy);
    }
    // Eyelids (refined by the iris model) above and below the irises.
    expect(point(astronaut, 159)[1]).toBeLessThan(rightIris[1] - 2);
    expect(point(astronaut, 145)[1]).toBeGreaterThan(rightIris[1] + 2);
    expect(point(astronaut, 386)[1]).toBeLessThan(leftIris[1] - 2);
    expect(point(astronaut, 374)[1]).toBeGreaterThan(leftIris[1] + 2);
    const nose = point(astronaut, 1);
    const mouthLeft = point(astronaut, 61);
    const mouthRight = point(astronaut, 291);
    expect(mouthLeft[1]).toBeGreaterThan(nose[1]);
    expect(mouthRight[1]).toBeGreaterThan(nose[1]);
    expect(mouthLeft[0]).toBeLessThan(nose[0]);
    expect(mouthRight[0]).toBeGreaterThan(nose[0]);
    // The nose tip is nearer the camera than the sides of the face (more negative z).
    expect(nose[2]).toBeLessThan(point(astronaut, 234)[2] - 20);
    expect(eyeDistance(astronaut)).toBeGreaterThan(35);
    expect(eyeDistance(astronaut)).toBeLessThan(55);
  });

  it('gives a crop transform that round-trips and levels the eyes', async () => {
    const { toCrop, toImage, size } = astronaut.crop;
    expect(size).toBe(512);
    const identity = composeAffine(toImage, toCrop);
    [1, 0, 0, 0, 1, 0].forEach((v, i) => expect(Math.abs((identity[i] ?? NaN) - v)).toBeLessThan(1e-4));
    // A similarity: equal scale on both axes, no shear.
    expect(toCrop[0]).toBeCloseTo(toCrop[4], 6);
    expect(toCrop[1]).toBeCloseTo(-toCrop[3], 6);
    for (const i of [1, 61, 468]) {
      const [x, y] = point(astronaut, i);
      const [cx, cy] = applyAffine(toCrop, x, y);
      const [bx, by] = applyAffine(toImage, cx, cy);
      expect(Math.hypot(bx - x, by - y)).toBeLessThan(1e-3);
    }
    const eye = (a: number, b: number): [number, number] => {
      const [ax, ay] = applyAffine(toCrop, point(astronaut, a)[0], point(astronaut, a)[1]);
      const [bx, by] = applyAffine(toCrop, point(astronaut, b)[0], point(astronaut, b)[1]);
      return [(ax + bx) / 2, (ay + by) / 2];
    };
    const right = eye(33, 133);
    const left = eye(362, 263);
    expect(Math.abs(right[1] - left[1])).toBeLessThan(1e-3);
    expect(right[1]).toBeCloseTo(0.42 * 512, 3);
    expect(right[0]).toBeLessThan(256);
    expect(left[0]).toBeGreaterThan(256);
    const image = await decodeImage(ASTRONAUT);
    const crop = warpToCrop(image, astronaut);
    expect(crop.width).toBe(512);
    expect(crop.data).toHaveLength(512 * 512 * 3);
    // Crop pixel (u, v) shows the image at toImage(u + 0.5, v + 0.5) (pixel centres), bilinearly interpolated.
    const expected = new Float64Array(3);
    for (const [u, v] of [[100, 200], [256, 215], [300, 400], [20, 20]] as const) {
      const [x, y] = applyAffine(toImage, u + 0.5, v + 0.5);
      bilinear(image, x - 0.5, y - 0.5, 'replicate', expected);
      for (let c = 0; c < 3; c++) expect(Math.abs((crop.data[(v * 512 + u) * 3 + c] ?? NaN) - (expected[c] ?? NaN))).toBeLessThanOrEqual(0.5);
    }
  });
});

describe('robustness', () => {
  it('finds the same landmarks at another framing and scale', async () => {
    const scale = 1.7;
    const pad = { left: 230, top: 60, right: 120, bottom: 300 };
    const other = await analyzer.analyze(await reframed(scale, pad));
    const error = landmarkError(other, astronaut, (x, y) => [(x - pad.left) / scale, (y - pad.top) / scale]);
    const eye = eyeDistance(astronaut);
    console.log(`reframed x${scale}: landmark error mean ${error.mean.toFixed(3)} px, max ${error.max.toFixed(3)} px, eye distance ${eye.toFixed(1)} px`);
    expect(error.mean).toBeLessThan(0.015 * eye);
    expect(error.max).toBeLessThan(0.05 * eye);
  });

  it('finds the face turned sideways and upside down', async () => {
    const back: Record<number, (x: number, y: number) => [number, number]> = {
      90: (x, y) => [y, 512 - x],
      180: (x, y) => [512 - x, 512 - y],
      270: (x, y) => [512 - y, x],
    };
    for (const degrees of [90, 180, 270]) {
      const result = await analyzer.analyze(await turned(degrees));
      const error = landmarkError(result, astronaut, back[degrees] ?? ((x, y) => [x, y]));
      console.log(`turned ${degrees}: landmark error mean ${error.mean.toFixed(3)} px, max ${error.max.toFixed(3)} px`);
      expect(error.mean).toBeLessThan(0.02 * eyeDistance(astronaut));
    }
  });

  it('reads WebP and JPEG portraits', async () => {
    for (const bytes of [await sharp(ASTRONAUT).webp({ quality: 90 }).toBuffer(), await sharp(ASTRONAUT).jpeg({ quality: 90 }).toBuffer()]) {
      const result = await analyzer.analyze(bytes);
      const error = landmarkError(result, astronaut, (x, y) => [x, y]);
      expect(error.mean).toBeLessThan(0.02 * eyeDistance(astronaut));
    }
  });

  it('reports a portrait without a face', async () => {
    const flat = await failure(analyzer.analyze(await gradient(640, 480)));
    expect(flat.code).toBe('FACE_NOT_FOUND');
    expect(flat.message).toBe(
      'No face found in the portrait (640x480). If the portrait has one the detector misses, pass its box in ' +
        'pixels: options.faceBox {x, y, width, height} in the API, --face-box x,y,width,height in the CLI.',
    );
  });

  it('analyses a face the detectors miss when its box is passed', async () => {
    // A 320 px astronaut in a 2000x1500 photo: too small for both detectors, wide enough to animate.
    const photo = await smallFaceInBigPhoto(320, 2000, 1500);
    const missed = await failure(analyzer.analyze(photo));
    expect(missed.code).toBe('FACE_NOT_FOUND');
    const { box } = astronaut;
    const toPhoto = (x: number, y: number): [number, number] => [840 + x * 0.625, 590 + y * 0.625];
    const [x, y] = toPhoto(box.x, box.y);
    const found = await analyzer.analyze(photo, { faceBox: { x, y, width: box.width * 0.625, height: box.height * 0.625 } });
    const error = landmarkError(astronaut, found, toPhoto);
    console.log(`passed box on a 320 px portrait's face: landmark error mean ${error.mean.toFixed(3)} px, max ${error.max.toFixed(3)} px (photo pixels)`);
    expect(error.mean).toBeLessThan(0.05 * eyeDistance(found));
  });

  it('finds drawn and painted faces', async () => {
    for (const [style, image] of [['drawing', await drawing()], ['painting', await painting()]] as const) {
      const styled = await analyzer.analyze(image);
      const error = landmarkError(styled, astronaut, (x, y) => [x, y]);
      console.log(`${style}: score ${styled.score.toFixed(3)}, landmark error mean ${error.mean.toFixed(3)} px, max ${error.max.toFixed(3)} px`);
      expect(error.mean).toBeLessThan(0.1 * eyeDistance(astronaut));
    }
  });

  it('asks which of two faces of similar size to animate, and takes the one faceIndex names', async () => {
    const image = await twoFaces(512, 560);
    const ambiguous = await failure(analyzer.analyze(image));
    expect(ambiguous.code).toBe('FACE_AMBIGUOUS');
    expect(ambiguous.message).toMatch(/^2 faces of similar size found in the portrait \(1072x600\), largest first: #0: \d+x\d+ px at x \d+, y \d+; #1: /);
    const first = await analyzer.analyze(image, { faceIndex: 0 });
    const second = await analyzer.analyze(image, { faceIndex: 1 });
    expect([first.box.x, second.box.x].sort((p, q) => p - q).map((x) => x > 560)).toEqual([false, true]);
  });

  it('takes the largest face by itself when it dominates, and the other by index', async () => {
    const image = await twoFaces(380, 460);
    const largest = await analyzer.analyze(image);
    const other = await analyzer.analyze(image, { faceIndex: 1 });
    expect(largest.box.x).toBeGreaterThan(460);
    expect(other.box.x + other.box.width).toBeLessThan(460);
    expect(largest.box.width).toBeGreaterThan(other.box.width * 1.2);
    expect((await analyzer.checkFace(image)).box.x).toBeGreaterThan(460);
    const error = await failure(analyzer.analyze(image, { faceIndex: 2 }));
    expect(error.code).toBe('FACE_INDEX_OUT_OF_RANGE');
    expect(error.message).toContain('2 faces found');
  });

  it('refuses a face too small to animate, found or passed as a box', async () => {
    const tiny = await smallFaceInBigPhoto(128, 320, 320);
    const error = await failure(analyzer.checkFace(tiny, {}, { portraitName: 'the image' }));
    expect(error.code).toBe('FACE_TOO_SMALL');
    expect(error.message).toMatch(/^The face in the image is \d+x\d+ pixels; a face must be at least 48 pixels wide/);
    expect((await failure(analyzer.analyze(tiny))).code).toBe('FACE_TOO_SMALL');
    expect((await failure(analyzer.analyze(ASTRONAUT, { faceBox: { x: 200, y: 200, width: 40, height: 50 } }))).code).toBe('FACE_TOO_SMALL');
  });

  it('rejects bad inputs with errors that name them', async () => {
    const text = await failure(analyzer.analyze(new TextEncoder().encode('not an image')));
    expect(text.code).toBe('IMAGE_UNREADABLE');
    expect(text.message).toContain('JPEG, PNG or WebP');
    const missing = await failure(analyzer.analyze('/nonexistent/portrait.jpg'));
    expect(missing.code).toBe('IMAGE_UNREADABLE');
    expect(missing.message).toContain('portrait.jpg');
    const box = await failure(analyzer.analyze(ASTRONAUT, { faceBox: { x: 10, y: 10, width: -5, height: 20 } }));
    expect(box.code).toBe('FACE_BOX_INVALID');
    expect(box.message).toContain('10,10,-5,20');
  });
});

describe('analyzer lifecycle', () => {
  it('says which model file is missing', async () => {
    const error = await failure(createFaceAnalyzer({ modelsDir: '/nonexistent/face-models' }));
    expect(error.code).toBe('FACE_MODELS_MISSING');
    expect(error.message).toContain('/nonexistent/face-models/face_detector.onnx');
  });

  it('refuses to analyse after close', async () => {
    const closing = await createFaceAnalyzer({ modelsDir: MODELS_DIR, providers: ['cpu'] });
    await closing.close();
    const error = await failure(closing.analyze(ASTRONAUT));
    expect(error.code).toBe('FACE_ANALYZER_CLOSED');
  });
});
