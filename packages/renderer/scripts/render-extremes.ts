/**
 * Renders single frames of the astronaut face crop (or its painted version) at the extremes of the motion channels
 * the painted parts depend on (mouth, blinks, gaze, head_scale directly and as the headDistance control, which the
 * engine tells the renderer: `distance-*` cases) and writes one PNG per case plus a sheet with a
 * whole-face tile and a magnified detail tile per case.
 * Run: npx tsx packages/renderer/scripts/render-extremes.ts [--painted] [--out out/extremes]
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CHANNEL } from '@portrait-farm/contracts';
import sharp from 'sharp';
import { createMeshwarpRenderer } from '../src/index.ts';
import { astronautPortrait, faceCrop, paintedPortrait } from '../src/testing/astronaut-portrait.ts';

const { values } = parseArgs({ options: { painted: { type: 'boolean', default: false }, out: { type: 'string', default: 'out/extremes' } } });
const photo = await faceCrop(await astronautPortrait());
const portrait = values.painted ? { image: await paintedPortrait(photo.image), landmarks: photo.landmarks } : photo;
const renderer = createMeshwarpRenderer(portrait);
/** Renderers told the clip's head distance (as the engine does for the headDistance control). */
const distanceRenderers = new Map<number, ReturnType<typeof createMeshwarpRenderer>>();
const rendererFor = (headDistance: number | undefined): ReturnType<typeof createMeshwarpRenderer> => {
  if (headDistance === undefined) return renderer;
  if (!distanceRenderers.has(headDistance)) distanceRenderers.set(headDistance, createMeshwarpRenderer({ ...portrait, options: { headDistance } }));
  return distanceRenderers.get(headDistance)!;
};
const { width, height } = portrait.image;
const lm = portrait.landmarks;

type Channels = Partial<Record<keyof typeof CHANNEL, number>>;
type Detail = 'mouth' | 'eyes' | 'jaw';
const cases: { name: string; channels: Channels; detail: Detail; headDistance?: number }[] = [
  { name: 'neutral', channels: {}, detail: 'mouth' },
  { name: 'lips-closed', channels: { jaw_open: 0, lips_part: 0 }, detail: 'mouth' },
  { name: 'lips-part-0.3', channels: { jaw_open: 0, lips_part: 0.3 }, detail: 'mouth' },
  { name: 'jaw-0.2', channels: { jaw_open: 0.2, lips_part: 0.2 }, detail: 'mouth' },
  { name: 'jaw-0.5', channels: { jaw_open: 0.5, lips_part: 0.3 }, detail: 'mouth' },
  { name: 'jaw-1-lips-1', channels: { jaw_open: 1, lips_part: 1 }, detail: 'mouth' },
  { name: 'round-0.8', channels: { jaw_open: 0.4, mouth_round: 0.8 }, detail: 'mouth' },
  { name: 'blink-0.5', channels: { blink_l: 0.5, blink_r: 0.5 }, detail: 'eyes' },
  { name: 'blink-1', channels: { blink_l: 1, blink_r: 1 }, detail: 'eyes' },
  { name: 'gaze-x-1', channels: { gaze_x: 1 }, detail: 'eyes' },
  { name: 'gaze-x--1', channels: { gaze_x: -1 }, detail: 'eyes' },
  { name: 'gaze-y-1', channels: { gaze_y: 1 }, detail: 'eyes' },
  { name: 'gaze-y--1', channels: { gaze_y: -1 }, detail: 'eyes' },
  { name: 'scale-0.5', channels: { head_scale: 0.5 }, detail: 'jaw' },
  { name: 'scale--0.5', channels: { head_scale: -0.5 }, detail: 'jaw' },
  { name: 'scale--0.5-jaw-1', channels: { head_scale: -0.5, jaw_open: 1 }, detail: 'jaw' },
  { name: 'distance-0.5', channels: { head_scale: 0.52, jaw_open: 0.4 }, detail: 'jaw', headDistance: 0.5 },
  { name: 'distance--0.5', channels: { head_scale: -0.52, jaw_open: 0.4 }, detail: 'jaw', headDistance: -0.5 },
];

function region(detail: Detail): { left: number; top: number; size: number } {
  const p = (i: number): [number, number] => [lm[i * 3]!, lm[i * 3 + 1]!];
  const [ax, ay] = detail === 'eyes' ? p(33) : detail === 'mouth' ? p(61) : p(234);
  const [bx, by] = detail === 'eyes' ? p(263) : detail === 'mouth' ? p(291) : p(454);
  const size = Math.round(Math.abs(bx - ax) * (detail === 'eyes' ? 1.3 : detail === 'mouth' ? 1.6 : 1.3));
  const cy = detail === 'jaw' ? lm[152 * 3 + 1]! - 0.25 * size : (ay + by) / 2 + (detail === 'mouth' ? 0.1 * size : 0);
  const left = Math.max(0, Math.min(width - size, Math.round((ax + bx) / 2 - size / 2)));
  const top = Math.max(0, Math.min(height - size, Math.round(cy - size / 2)));
  return { left, top, size };
}

mkdirSync(values.out, { recursive: true });
const TILE = 320;
const tiles: sharp.OverlayOptions[] = [];
for (const [i, c] of cases.entries()) {
  const m = Float32Array.from(renderer.neutral);
  for (const [name, value] of Object.entries(c.channels)) m[CHANNEL[name as keyof typeof CHANNEL]] = value;
  const frame = rendererFor(c.headDistance).renderFrame(m);
  const raw = { raw: { width, height, channels: 3 as const } };
  await sharp(frame, raw).png().toFile(join(values.out, `${c.name}.png`));
  const whole = await sharp(frame, raw).resize(TILE, TILE).png().toBuffer();
  const r = region(c.detail);
  const detail = await sharp(frame, raw).extract({ left: r.left, top: r.top, width: r.size, height: r.size }).resize(TILE, TILE, { kernel: 'nearest' }).png().toBuffer();
  const label = Buffer.from(`<svg width="${2 * TILE}" height="24"><rect width="100%" height="100%" fill="#111"/><text x="6" y="17" font-family="sans-serif" font-size="15" fill="#eee">${c.name}</text></svg>`);
  const col = i % 3;
  const row = Math.floor(i / 3);
  const x = col * (2 * TILE + 8);
  const y = row * (TILE + 28);
  tiles.push({ input: whole, left: x, top: y }, { input: detail, left: x + TILE, top: y }, { input: label, left: x, top: y + TILE });
}
const rows = Math.ceil(cases.length / 3);
await sharp({ create: { width: 3 * (2 * TILE + 8), height: rows * (TILE + 28), channels: 3, background: '#222' } })
  .composite(tiles)
  .png()
  .toFile(join(values.out, 'sheet.png'));
console.log(`Wrote ${cases.length} frames and ${join(values.out, 'sheet.png')}`);
