import { describe, expect, it } from 'vitest';
import { CHANNEL, MOTION_CHANNEL_COUNT } from '@portrait-farm/contracts';
import { createMeshwarpRendererFromPrepared, prepareMeshwarp } from '@portrait-farm/renderer';
import { syntheticPortrait } from '../../renderer/src/testing/synthetic-portrait.ts';
import { createRenderPool } from './render-pool.ts';

function motionOf(index: number): Float32Array {
  const motion = new Float32Array(MOTION_CHANNEL_COUNT);
  motion[CHANNEL.jaw_open] = 0.5 + 0.5 * Math.sin(index * 0.7);
  motion[CHANNEL.head_yaw] = 6 * Math.sin(index * 0.3);
  motion[CHANNEL.blink_l] = motion[CHANNEL.blink_r] = index % 9 === 4 ? 1 : 0;
  return motion;
}

describe('createRenderPool', () => {
  const portrait = syntheticPortrait(256);
  const prepared = prepareMeshwarp({ image: portrait, landmarks: portrait.landmarks });
  const direct = createMeshwarpRendererFromPrepared(prepared);
  const expected = Array.from({ length: 12 }, (_, i) => direct.renderFrame(motionOf(i)).slice());

  for (const threads of [1, 2]) {
    it(`returns frames in order, equal to rendering on this thread (${threads} thread${threads > 1 ? 's' : ''})`, async () => {
      const pool = await createRenderPool(prepared, threads);
      const seen: number[] = [];
      try {
        await pool.renderFrames(12, motionOf, async (frame, index) => {
          seen.push(index);
          await new Promise((resolve) => setTimeout(resolve, index % 3));
          expect(Buffer.compare(frame, expected[index]!)).toBe(0);
        });
      } finally {
        await pool.close();
      }
      expect(seen).toEqual([...Array(12).keys()]);
    });
  }

  it('stops with ENGINE_CANCELED when aborted', async () => {
    const pool = await createRenderPool(prepared, 1);
    const controller = new AbortController();
    try {
      await expect(
        pool.renderFrames(200, motionOf, (_, index) => {
          if (index === 3) controller.abort();
        }, controller.signal),
      ).rejects.toMatchObject({ code: 'ENGINE_CANCELED' });
    } finally {
      await pool.close();
    }
  });

  it('passes the renderer error on, naming the frame', async () => {
    const pool = await createRenderPool(prepared, 1);
    try {
      await expect(pool.renderFrames(2, () => new Float32Array(3), () => {})).rejects.toMatchObject({
        code: 'ENGINE_RENDER_THREAD_DIED',
        message: expect.stringContaining('Frame 0: motion must hold 20 channels'),
      });
    } finally {
      await pool.close();
    }
  });
});
