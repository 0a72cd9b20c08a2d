import { describe, expect, it } from 'vitest';
import { HEAD_POINTS, headMotionStd, headRotation } from './head-pose.ts';

/** A head-shaped cloud of the head points (pixels), rotated by yaw (about y), pitch (about x), roll (about z). */
function head(yaw: number, pitch: number, roll: number): Float32Array {
  const landmarks = new Float32Array(478 * 3);
  const rad = Math.PI / 180;
  const [cy, sy, cp, sp, cr, sr] = [Math.cos(yaw * rad), Math.sin(yaw * rad), Math.cos(pitch * rad), Math.sin(pitch * rad), Math.cos(roll * rad), Math.sin(roll * rad)];
  HEAD_POINTS.forEach((index, k) => {
    let [x, y, z] = [60 * Math.cos(k * 2.1), 70 * Math.sin(k * 1.3), 25 * Math.cos(k * 0.7) - 10];
    [y, z] = [cp * y - sp * z, sp * y + cp * z]; // pitch about x
    [x, z] = [cy * x + sy * z, -sy * x + cy * z]; // yaw about y
    [x, y] = [cr * x - sr * y, sr * x + cr * y]; // roll about z
    landmarks.set([256 + x, 256 + y, z], index * 3);
  });
  return landmarks;
}

describe('headRotation', () => {
  it('recovers each angle of a rotated head', () => {
    const reference = head(0, 0, 0);
    for (const [yaw, pitch, roll] of [[5, 0, 0], [0, -4, 0], [0, 0, 3], [6, 3, -2]] as const) {
      const a = headRotation(reference, head(yaw, pitch, roll));
      expect(Math.abs(a.yaw)).toBeCloseTo(Math.abs(yaw), 0);
      expect(Math.abs(a.pitch)).toBeCloseTo(Math.abs(pitch), 0);
      expect(Math.abs(a.roll)).toBeCloseTo(Math.abs(roll), 0);
    }
    const same = headRotation(reference, reference);
    for (const value of [same.yaw, same.pitch, same.roll]) expect(Math.abs(value)).toBeLessThan(1e-6);
  });

  it('gives the standard deviation of the angles over a clip', () => {
    const frames = Array.from({ length: 50 }, (_, f) => head(3 * Math.sin(f / 5), 0, 0));
    const std = headMotionStd(frames);
    expect(std.yaw).toBeGreaterThan(1.9);
    expect(std.yaw).toBeLessThan(2.3); // 3 / sqrt(2) for a whole number of periods, about that here
    expect(std.pitch).toBeLessThan(0.1);
    expect(std.roll).toBeLessThan(0.1);
  });
});
