import { CHANNEL, MOTION_CHANNEL_COUNT } from '@portrait-farm/contracts';
import { describe, expect, it } from 'vitest';
import { createDeformScratch, deformMesh, neutralModelGaps } from './deform/deform-mesh.ts';
import { RendererError } from './errors.ts';
import { INNER_LOWER, INNER_UPPER } from './mesh/landmark-indices.ts';
import { prepareMeshwarp } from './prepare.ts';
import { createMeshwarpRenderer, createMeshwarpRendererFromPrepared } from './renderer.ts';
import { IRIS, SKIN, syntheticPortrait } from './synthetic-portrait.ts';

const portrait = syntheticPortrait();
const image = { width: portrait.width, height: portrait.height, data: portrait.data };
const prepared = prepareMeshwarp({ image, landmarks: portrait.landmarks });
const renderer = createMeshwarpRendererFromPrepared(prepared);

function motion(values: Partial<Record<keyof typeof CHANNEL, number>>): Float32Array {
  const m = Float32Array.from(renderer.neutral);
  for (const [name, value] of Object.entries(values)) m[CHANNEL[name as keyof typeof CHANNEL]] = value;
  return m;
}

function positions(m: Float32Array): Float32Array {
  return Float32Array.from(deformMesh(prepared, m, createDeformScratch(prepared), neutralModelGaps(prepared)));
}

function pixel(frame: Uint8Array, x: number, y: number): [number, number, number] {
  const o = (Math.round(y) * portrait.width + Math.round(x)) * 3;
  return [frame[o]!, frame[o + 1]!, frame[o + 2]!];
}

function countDarkInMouthBox(frame: Uint8Array): number {
  const lm = portrait.landmarks;
  let dark = 0;
  for (let y = Math.floor(lm[13 * 3 + 1]! - 15); y < lm[14 * 3 + 1]! + 45; y++) {
    for (let x = Math.floor(lm[78 * 3]!); x < lm[308 * 3]!; x++) {
      const [r, g, b] = pixel(frame, x, y);
      if (r + g + b < 180) dark++;
    }
  }
  return dark;
}

describe('meshwarp renderer on a synthetic portrait', () => {
  it('estimates the portrait state: slightly parted lips, open eyes, no smile', () => {
    expect(renderer.neutral.length).toBe(MOTION_CHANNEL_COUNT);
    expect(renderer.neutral[CHANNEL.lips_part]).toBeGreaterThan(0.2);
    expect(renderer.neutral[CHANNEL.jaw_open]).toBe(0);
    expect(renderer.neutral[CHANNEL.blink_l]).toBe(0);
    expect(Math.abs(renderer.neutral[CHANNEL.smile]!)).toBeLessThan(0.05);
  });

  it('reproduces the portrait exactly when the motion equals the neutral state', () => {
    const frame = renderer.renderFrame(motion({}));
    let worst = 0;
    for (let i = 0; i < frame.length; i++) worst = Math.max(worst, Math.abs(frame[i]! - portrait.data[i]!));
    expect(worst).toBeLessThanOrEqual(2);
  });

  it('opens the jaw: chin down, pixels below the mouth change, image corners untouched', () => {
    const rest = positions(motion({}));
    const open = positions(motion({ jaw_open: 1 }));
    const face = prepared.frame;
    expect(open[152 * 3 + 1]! - rest[152 * 3 + 1]!).toBeGreaterThan(0.15 * face.eyeToChin);
    expect(Math.abs(open[10 * 3 + 1]! - rest[10 * 3 + 1]!)).toBeLessThan(0.01);
    const frame = renderer.renderFrame(motion({ jaw_open: 1 }));
    const lm = portrait.landmarks;
    let changed = 0;
    for (let y = Math.round(lm[14 * 3 + 1]!); y < lm[152 * 3 + 1]! + 10; y++) {
      const o = (y * portrait.width + Math.round(lm[14 * 3]!)) * 3;
      if (Math.abs(frame[o]! - portrait.data[o]!) > 10) changed++;
    }
    expect(changed).toBeGreaterThan(20);
    for (const [x, y] of [[0, 0], [511, 0], [0, 511], [511, 511], [20, 20], [490, 30]] as const) {
      expect(pixel(frame, x, y)).toEqual(pixel(portrait.data, x, y));
    }
  });

  it('shows a dark mouth interior only when the lips part', () => {
    const closed = renderer.renderFrame(motion({ jaw_open: 0, lips_part: 0 }));
    const open = renderer.renderFrame(motion({ jaw_open: 0.8 }));
    const source = countDarkInMouthBox(portrait.data);
    expect(countDarkInMouthBox(closed)).toBeLessThan(source * 0.1);
    expect(countDarkInMouthBox(open)).toBeGreaterThan(source * 2);
    // Closed: the inner lip contours meet.
    const sealed = positions(motion({ jaw_open: 0, lips_part: 0 }));
    for (let k = 1; k < INNER_UPPER.length - 1; k++) {
      const u = INNER_UPPER[k]!;
      const l = INNER_LOWER[k]!;
      expect(Math.abs(sealed[l * 3 + 1]! - sealed[u * 3 + 1]!)).toBeLessThan(0.3);
    }
  });

  it('seals the lips at the press generated motion reaches on p/b/m, even with the jaw a little open', () => {
    const pressed = positions(motion({ jaw_open: 0.06, lips_part: 0.02, lips_press: 0.65 }));
    const loose = positions(motion({ jaw_open: 0.06, lips_part: 0.02 }));
    let pressedGap = 0;
    let looseGap = 0;
    for (let k = 1; k < INNER_UPPER.length - 1; k++) {
      const u = INNER_UPPER[k]!;
      const l = INNER_LOWER[k]!;
      pressedGap = Math.max(pressedGap, Math.abs(pressed[l * 3 + 1]! - pressed[u * 3 + 1]!));
      looseGap = Math.max(looseGap, Math.abs(loose[l * 3 + 1]! - loose[u * 3 + 1]!));
    }
    expect(pressedGap).toBeLessThan(0.3);
    expect(looseGap).toBeGreaterThan(1);
  });

  it('paints upper teeth under the upper lip when a portrait without visible teeth opens its mouth', () => {
    expect(prepared.colours.sourceTeeth).toBe(false);
    const lm = portrait.landmarks;
    const frame = renderer.renderFrame(motion({ jaw_open: 0.7 }));
    const countTeeth = (image: Uint8Array): number => {
      let n = 0;
      for (let y = Math.floor(lm[13 * 3 + 1]!); y < lm[13 * 3 + 1]! + 12; y++) {
        for (let x = Math.floor(lm[78 * 3]!); x < lm[308 * 3]!; x++) {
          const [r, g, b] = pixel(image, x, y);
          if (r > 150 && g > 140 && b > 120 && r - b < 60) n++;
        }
      }
      return n;
    };
    expect(countTeeth(portrait.data)).toBe(0);
    expect(countTeeth(frame)).toBeGreaterThan(100);
  });

  it('closes the eyes with lid-coloured skin over the iris', () => {
    const lm = portrait.landmarks;
    const before = pixel(portrait.data, lm[468 * 3]!, lm[468 * 3 + 1]!);
    expect(before).toEqual([...IRIS]);
    const frame = renderer.renderFrame(motion({ blink_l: 1, blink_r: 1 }));
    for (const iris of [468, 473]) {
      const [r, g, b] = pixel(frame, lm[iris * 3]!, lm[iris * 3 + 1]! - 2);
      expect(Math.abs(r - SKIN[0]) + Math.abs(g - SKIN[1]) + Math.abs(b - SKIN[2])).toBeLessThan(90);
    }
    // One eye only: the other keeps its iris.
    const wink = renderer.renderFrame(motion({ blink_r: 1 }));
    expect(pixel(wink, lm[473 * 3]!, lm[473 * 3 + 1]!)).toEqual([...IRIS]);
  });

  it('turns the head: positive yaw moves the nose tip to image right, positive pitch moves it down', () => {
    const rest = positions(motion({}));
    const yaw = positions(motion({ head_yaw: 15 }));
    const pitch = positions(motion({ head_pitch: 10 }));
    expect(yaw[1 * 3]! - rest[1 * 3]!).toBeGreaterThan(5);
    expect(pitch[1 * 3 + 1]! - rest[1 * 3 + 1]!).toBeGreaterThan(3);
    const moved = positions(motion({ head_tx: 0.1, head_ty: -0.05 }));
    expect(moved[1 * 3]! - rest[1 * 3]!).toBeCloseTo(0.1 * prepared.faceWidth, 3);
    expect(moved[1 * 3 + 1]! - rest[1 * 3 + 1]!).toBeCloseTo(-0.05 * prepared.faceWidth, 3);
    const bigger = positions(motion({ head_scale: Math.log(1.1) }));
    const width = (p: Float32Array): number => p[454 * 3]! - p[234 * 3]!;
    expect(width(bigger) / width(rest)).toBeCloseTo(1.1, 2);
    const frame = renderer.renderFrame(motion({ head_yaw: 15 }));
    expect(pixel(frame, 0, 0)).toEqual(pixel(portrait.data, 0, 0));
  });

  it('shifts the iris with gaze', () => {
    const lm = portrait.landmarks;
    const frame = renderer.renderFrame(motion({ gaze_x: 0.8 }));
    const cx = lm[473 * 3]!;
    const cy = lm[473 * 3 + 1]!;
    let before = 0;
    let after = 0;
    for (let dx = -12; dx <= 12; dx++) {
      const weight = dx;
      const dark = (p: [number, number, number]): number => (p[0] + p[1] + p[2] < 300 ? 1 : 0);
      before += weight * dark(pixel(portrait.data, cx + dx, cy));
      after += weight * dark(pixel(frame, cx + dx, cy));
    }
    expect(after).toBeGreaterThan(before + 10);
  });

  it('is deterministic, also when rebuilt from a structured clone of the prepared data', () => {
    const m = motion({ jaw_open: 0.5, smile: 0.4, head_yaw: -7, head_roll: 3, blink_l: 0.6, gaze_y: 0.3, brow_raise: 0.5 });
    const a = renderer.renderFrame(m);
    const b = createMeshwarpRenderer({ image, landmarks: portrait.landmarks }).renderFrame(m);
    const c = createMeshwarpRendererFromPrepared(structuredClone(prepared)).renderFrame(m);
    expect(Buffer.from(b).equals(Buffer.from(a))).toBe(true);
    expect(Buffer.from(c).equals(Buffer.from(a))).toBe(true);
    // Reusing the output buffer across frames gives the same pixels as a fresh buffer.
    const out = new Uint8Array(a.length);
    renderer.renderFrame(motion({ head_yaw: 12, jaw_open: 1 }), out);
    renderer.renderFrame(m, out);
    expect(Buffer.from(out).equals(Buffer.from(a))).toBe(true);
  });

  it('takes neutral overrides and can leave the mouth interior unpainted', () => {
    const override = new Float32Array(MOTION_CHANNEL_COUNT).fill(Number.NaN);
    override[CHANNEL.smile] = 0.5;
    const custom = createMeshwarpRenderer({ image, landmarks: portrait.landmarks, options: { neutral: override, mouthInterior: false } });
    expect(custom.neutral[CHANNEL.smile]).toBeCloseTo(0.5, 6);
    expect(custom.neutral[CHANNEL.lips_part]).toBeCloseTo(renderer.neutral[CHANNEL.lips_part]!, 6);
    const same = custom.renderFrame(Float32Array.from(custom.neutral));
    expect(Buffer.from(same).equals(Buffer.from(portrait.data))).toBe(true);
    const open = custom.renderFrame(motion({ jaw_open: 0.8, smile: 0.5 }));
    expect(countDarkInMouthBox(open)).toBeLessThan(countDarkInMouthBox(renderer.renderFrame(motion({ jaw_open: 0.8 }))));
  });

  it('rejects bad input with stable codes', () => {
    expect(() => renderer.renderFrame(new Float32Array(3))).toThrow(RendererError);
    expect(() => renderer.renderFrame(motion({ jaw_open: Number.NaN }))).toThrow(/must be finite/);
    expect(() => renderer.renderFrame(motion({}), new Uint8Array(5))).toThrow(/out must hold/);
    expect(() => prepareMeshwarp({ image, landmarks: new Float32Array(10) })).toThrow(/478\*3/);
    expect(() => prepareMeshwarp({ image: { ...image, data: new Uint8Array(7) }, landmarks: portrait.landmarks })).toThrow(/RGB bytes/);
  });
});
