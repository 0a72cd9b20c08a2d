import { CHANNEL } from '@portrait-farm/contracts';
import { describe, expect, it } from 'vitest';
import { RendererError } from './errors.ts';
import { type RgbImage, prepareMeshwarp } from './prepare.ts';
import { createMeshwarpRendererFromPrepared } from './renderer.ts';
import { astronautPortrait } from './testing/astronaut-portrait.ts';
import { syntheticPortrait } from './synthetic-portrait.ts';
import { WARP_KERNEL_CHOICES, type WarpKernelChoice } from './warp-kernel-choice.ts';

type Channels = Partial<Record<keyof typeof CHANNEL, number>>;

/** Speech, a blink, gaze, head turns and both head distances (camera zoom in and out). */
const MOTIONS: Channels[] = [
  {},
  { jaw_open: 0.7, lips_part: 0.5, mouth_wide: 0.2, head_yaw: 7 },
  { blink_l: 1, blink_r: 0.6, gaze_x: -0.3, head_pitch: 5, head_roll: -4 },
  { mouth_round: 0.5, smile: 0.4, head_tx: -5, head_ty: 4, head_scale: 0.3 },
  { jaw_open: 0.4, head_scale: -0.35, gaze_y: 0.3, head_yaw: -9 },
  { lips_press: 0.5, head_tx: 6 },
];

/** Every frame of MOTIONS with `warpKernels`, rendered in order into one reused buffer, then into fresh ones. */
function frames(image: RgbImage, landmarks: Float32Array, warpKernels: WarpKernelChoice): Uint8Array[] {
  const renderer = createMeshwarpRendererFromPrepared(prepareMeshwarp({ image, landmarks }), { warpKernels });
  const out = new Uint8Array(image.width * image.height * 3);
  const motion = (channels: Channels): Float32Array => {
    const m = Float32Array.from(renderer.neutral);
    for (const [name, value] of Object.entries(channels)) m[CHANNEL[name as keyof typeof CHANNEL]] = value;
    return m;
  };
  const reused = MOTIONS.map((channels) => renderer.renderFrame(motion(channels), out).slice());
  const fresh = MOTIONS.slice(0, 3).map((channels) => renderer.renderFrame(motion(channels)));
  return [...reused, ...fresh];
}

/** The photo cut at a column through the face's left half, so that warped triangles sample up to the border. */
function cutThroughFace(image: RgbImage, landmarks: Float32Array): { image: RgbImage; landmarks: Float32Array } {
  let minX = Infinity, maxX = -Infinity;
  for (let i = 0; i < 468; i++) {
    minX = Math.min(minX, landmarks[i * 3]!);
    maxX = Math.max(maxX, landmarks[i * 3]!);
  }
  const left = Math.round(minX + 0.2 * (maxX - minX));
  const width = image.width - left;
  const data = new Uint8Array(width * image.height * 3);
  for (let y = 0; y < image.height; y++) data.set(image.data.subarray((y * image.width + left) * 3, (y + 1) * image.width * 3), y * width * 3);
  return { image: { width, height: image.height, data }, landmarks: landmarks.map((v, i) => (i % 3 === 0 ? v - left : v)) };
}

function expectSameFrames(image: RgbImage, landmarks: Float32Array): void {
  const [reference, ...others] = (['js', 'wasm-scalar', 'wasm-simd'] as const).map((choice) => frames(image, landmarks, choice));
  for (const other of others) {
    other.forEach((frame, i) => expect(Buffer.compare(frame, reference![i]!), `frame ${i}`).toBe(0));
  }
}

describe('warp kernels', () => {
  it('WebAssembly (scalar and SIMD) and JavaScript render the same bytes on the synthetic portrait', () => {
    const portrait = syntheticPortrait();
    expectSameFrames({ width: portrait.width, height: portrait.height, data: portrait.data }, portrait.landmarks);
  });

  it('and on the astronaut photo', async () => {
    const photo = await astronautPortrait();
    expectSameFrames(photo.image, photo.landmarks);
  });

  it('and on the photo cut through the face (clamped spans drawn into the WebAssembly frame)', async () => {
    const photo = await astronautPortrait();
    const cut = cutThroughFace(photo.image, photo.landmarks);
    expectSameFrames(cut.image, cut.landmarks);
  });

  it('lists its choices and refuses another', () => {
    expect(WARP_KERNEL_CHOICES).toEqual(['wasm-simd', 'wasm-scalar', 'js']);
    const portrait = syntheticPortrait();
    const prepared = prepareMeshwarp({ image: { width: portrait.width, height: portrait.height, data: portrait.data }, landmarks: portrait.landmarks });
    expect(() => createMeshwarpRendererFromPrepared(prepared, { warpKernels: 'gpu' as WarpKernelChoice })).toThrow(RendererError);
    expect(() => createMeshwarpRendererFromPrepared(prepared, { warpKernels: 'gpu' as WarpKernelChoice })).toThrow(/one of wasm-simd, wasm-scalar, js, got gpu/);
  });
});
