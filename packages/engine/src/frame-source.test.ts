import { CHANNEL, MOTION_CHANNEL_COUNT } from '@portrait-farm/contracts';
import { observeInferences } from '@portrait-farm/model-runtime';
import { createMeshwarpRendererFromPrepared, prepareMeshwarp } from '@portrait-farm/renderer';
import { syntheticPortrait } from '@portrait-farm/renderer/testing';
import { describe, expect, it } from 'vitest';
import { createFrameSource } from './frame-source.ts';

function motionOf(index: number): Float32Array {
  const motion = new Float32Array(MOTION_CHANNEL_COUNT);
  motion[CHANNEL.jaw_open] = 0.2 + 0.1 * index;
  motion[CHANNEL.head_yaw] = index - 3;
  return motion;
}

describe('createFrameSource', () => {
  const portrait = syntheticPortrait(256);
  const prepared = prepareMeshwarp({ image: portrait, landmarks: portrait.landmarks });
  const cpu = createMeshwarpRendererFromPrepared(prepared);

  it('onnx-graph: frames asked for during a run make the next run, answered in order, each in its own buffer', async () => {
    const source = await createFrameSource(prepared, 'onnx-graph');
    const runs: number[] = [];
    const stop = observeInferences((run) => {
      if (run.model === 'mesh-warp') runs.push(run.seconds);
    });
    try {
      const given = new Uint8Array(256 * 256 * 3);
      const frames = await Promise.all(Array.from({ length: 6 }, (_, i) => source.render(motionOf(i), i === 2 ? given : null)));
      expect(runs).toHaveLength(2);
      expect(frames[2]).toBe(given);
      expect(new Set(frames.map((frame) => frame.buffer)).size).toBe(6);
      frames.forEach((frame, i) => {
        const expected = cpu.renderFrame(motionOf(i));
        let max = 0;
        frame.forEach((value, k) => (max = Math.max(max, Math.abs(value - expected[k]!))));
        expect(max).toBeLessThanOrEqual(2);
      });
    } finally {
      stop();
      await source.close();
    }
  });

  it('cpu: the CPU renderer, synchronously', () => {
    const source = createFrameSource(prepared, 'cpu');
    expect(source).not.toBeInstanceOf(Promise);
    const frame = (source as Exclude<typeof source, Promise<unknown>>).render(motionOf(1), null);
    expect(Buffer.compare(frame as Uint8Array, cpu.renderFrame(motionOf(1)))).toBe(0);
  });
});
