import { CHANNEL } from '@portrait-farm/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { prepareMeshwarp, type RgbImage } from '../prepare.ts';
import { createMeshwarpRendererFromPrepared } from '../renderer.ts';
import { astronautPortrait, faceCrop } from '../testing/astronaut-portrait.ts';
import { syntheticPortrait } from '../synthetic-portrait.ts';
import { type FrameDifference, frameDifference } from './frame-difference.ts';
import { createGraphRendererFromPrepared, type GraphRenderer } from './graph-renderer.ts';

type Channels = Partial<Record<keyof typeof CHANNEL, number>>;

/** Speech shapes, a blink, gaze (painted eyeballs), head turns and head distance both ways (camera zoom). */
const CLIP: Channels[] = [
  {},
  { jaw_open: 0.5, lips_part: 0.4 },
  { jaw_open: 0.9, mouth_wide: 0.3, smile: 0.2, head_yaw: 6 },
  { mouth_round: 0.6, lips_part: 0.2, head_pitch: -4, head_roll: 3, gaze_x: 0.3 },
  { blink_l: 0.7, blink_r: 1, brow_raise: 0.4, head_tx: 4, head_ty: -3 },
  { upper_lip_raise: 0.4, lower_lip_tuck: 0.3, brow_furrow: 0.5, gaze_y: -0.3, head_yaw: -8 },
  { lips_press: 0.7, smile: -0.3, head_scale: 0.25 },
  { jaw_open: 0.3, lips_part: 0.5, head_scale: 0.25 },
  { jaw_open: 0.6, head_scale: -0.3, gaze_x: -0.4, head_roll: -5 },
  { jaw_open: 0.1 },
];

/**
 * Tolerance of the graph renderer against the CPU renderer. The triangles cover the same pixels (the ids are
 * rasterised by the CPU warp's rule), folded ring triangles are blended in the same order, the blend and the paint
 * layers round as on the CPU; what differs is the bilinear sample: float32 GridSample at a float32 position against
 * 8-bit fixed-point weights at a position accumulated in float64 and truncated to 1/256 pixel. That moves a rounded
 * sample by at most one level (measured: max 1 in every channel of every frame).
 */
const MIN_PSNR_DB = 60;
const MAX_DIFFERENCE = 2;
const MAX_MEAN_DIFFERENCE = 0.05;

const opened: GraphRenderer[] = [];
afterAll(async () => {
  await Promise.all(opened.map((renderer) => renderer.close()));
});

async function compareClip(image: RgbImage, landmarks: Float32Array): Promise<FrameDifference & { overflowPixels: number }> {
  const prepared = prepareMeshwarp({ image, landmarks });
  const cpu = createMeshwarpRendererFromPrepared(prepared);
  const graph = await createGraphRendererFromPrepared(prepared, { providers: ['cpu'] });
  opened.push(graph);
  const motions = CLIP.map((channels) => {
    const motion = Float32Array.from(cpu.neutral);
    for (const [name, value] of Object.entries(channels)) motion[CHANNEL[name as keyof typeof CHANNEL]] = value;
    return motion;
  });
  const frameBytes = image.width * image.height * 3;
  const expected = new Uint8Array(motions.length * frameBytes);
  const reused = new Uint8Array(frameBytes);
  motions.forEach((motion, n) => expected.set(cpu.renderFrame(motion, reused), n * frameBytes));
  const actual = new Uint8Array(motions.length * frameBytes);
  // Two batches of different sizes: the batch buffers are reallocated, and frames keep their order.
  const first = await graph.renderFrames(motions.slice(0, 4));
  const rest = await graph.renderFrames(motions.slice(4));
  [...first, ...rest].forEach((frame, n) => actual.set(frame, n * frameBytes));
  const difference = frameDifference(actual, expected);
  return { ...difference, overflowPixels: graph.overflowPixels };
}

function expectWithinTolerance(difference: FrameDifference): void {
  expect(difference.psnr).toBeGreaterThanOrEqual(MIN_PSNR_DB);
  for (const channel of difference.max) expect(channel).toBeLessThanOrEqual(MAX_DIFFERENCE);
  for (const channel of difference.mean) expect(channel).toBeLessThanOrEqual(MAX_MEAN_DIFFERENCE);
}

describe('the warp graph on the CPU provider renders what the CPU renderer renders, within tolerance', () => {
  it('on the synthetic portrait', async () => {
    const portrait = syntheticPortrait();
    const difference = await compareClip({ width: portrait.width, height: portrait.height, data: portrait.data }, portrait.landmarks);
    console.log('synthetic portrait, graph vs CPU renderer:', JSON.stringify(difference));
    expectWithinTolerance(difference);
  });

  it('on the astronaut photo, cropped as the engine crops (512x512)', async () => {
    const crop = await faceCrop(await astronautPortrait());
    const difference = await compareClip(crop.image, crop.landmarks);
    console.log('astronaut crop, graph vs CPU renderer:', JSON.stringify(difference));
    expectWithinTolerance(difference);
  });

  it('refuses a motion of the wrong length', async () => {
    const portrait = syntheticPortrait(256);
    const graph = await createGraphRendererFromPrepared(prepareMeshwarp({ image: { width: 256, height: 256, data: portrait.data }, landmarks: portrait.landmarks }), { providers: ['cpu'] });
    opened.push(graph);
    await expect(graph.renderFrames([new Float32Array(3)])).rejects.toThrow(/motion must hold 20 finite channels/);
  });
});
