import { describe, expect, it } from 'vitest';
import { CHANNEL, MOTION_CHANNEL_COUNT } from '@portrait-farm/contracts';
import { createMeshwarpRendererFromPrepared, prepareMeshwarp } from '@portrait-farm/renderer';
import { rgbToYuv420 } from '@portrait-farm/media';
import { providerUnavailableReason } from '@portrait-farm/model-runtime';
import { syntheticPortrait } from '@portrait-farm/renderer/testing';
import { frameMarks, markFrame } from './frame-marks.ts';
import { createRenderPool, startRenderThreads } from './render-pool.ts';
import { CRASH_MOTION_VALUE } from './testing/crash-motion.ts';
import { WARM_UP_POSES } from './warm-up-poses.ts';

const cudaMissing = providerUnavailableReason('cuda');

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

  it('renders into the buffers earlier calls consumed (a session renders a frame a call), the frames unchanged', async () => {
    const pool = await createRenderPool(prepared, 2);
    const handedOut: Uint8Array[] = [];
    try {
      for (let index = 0; index < 6; index++) {
        await pool.renderFrames(1, () => motionOf(index), (frame) => {
          expect(Buffer.compare(frame, expected[index]!)).toBe(0);
          handedOut.push(frame);
        });
      }
    } finally {
      await pool.close();
    }
    // A buffer sent back to a render thread is detached here: every frame but the last went back.
    expect(handedOut.map((frame) => frame.byteLength === 0)).toEqual([true, true, true, true, true, false]);
  });

  it('draws the label and the watermark in the render threads, as drawing them on this thread does', async () => {
    const marks = frameMarks(true, { payload: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), key: 'pool-test' }, 40)!;
    const marked = expected.map((frame, index) => {
      const copy = frame.slice();
      markFrame(copy, portrait.width, portrait.height, marks, index);
      return copy;
    });
    expect(Buffer.compare(marked[0]!, expected[0]!)).not.toBe(0);
    const pool = await createRenderPool(prepared, 2);
    try {
      await pool.renderFrames(12, motionOf, (frame, index) => expect(Buffer.compare(frame, marked[index]!)).toBe(0), null, marks);
    } finally {
      await pool.close();
    }
  });

  it('hands back yuv420p when asked, converted after the marks (rgbToYuv420\'s bytes), and RGB24 to the next call', async () => {
    const marks = frameMarks(true, { payload: Uint8Array.from([8, 7, 6, 5, 4, 3, 2, 1]), key: 'pool-test' }, 0)!;
    const converted = expected.map((frame, index) => {
      const copy = frame.slice();
      markFrame(copy, portrait.width, portrait.height, marks, index);
      return rgbToYuv420(copy, portrait.width, portrait.height);
    });
    const pool = await createRenderPool(prepared, 2);
    try {
      const seen: number[] = [];
      await pool.renderFrames(12, motionOf, (frame, index) => {
        seen.push(index);
        expect(frame.length).toBe(portrait.width * portrait.height * 1.5);
        expect(Buffer.compare(frame, converted[index]!)).toBe(0);
      }, null, marks, 'yuv420p');
      expect(seen).toEqual([...Array(12).keys()]);
      await pool.renderFrames(12, motionOf, (frame, index) => expect(Buffer.compare(frame, expected[index]!)).toBe(0));
    } finally {
      await pool.close();
    }
  });

  // Issue 17: the warp as an ONNX graph (on the CPU provider here, the GPU's where there is one); its frames differ
  // from the CPU renderer's by a level or two (the tolerance of packages/renderer/src/graph/graph-renderer.test.ts).
  it('renders with the onnx-graph backend: frames in order, within two levels of the CPU backend', async () => {
    const pool = await createRenderPool(prepared, 2, { backend: 'onnx-graph' });
    const seen: number[] = [];
    try {
      await pool.renderFrames(12, motionOf, (frame, index) => {
        seen.push(index);
        let max = 0;
        frame.forEach((value, i) => (max = Math.max(max, Math.abs(value - expected[index]![i]!))));
        expect(max).toBeLessThanOrEqual(2);
      });
    } finally {
      await pool.close();
    }
    expect(seen).toEqual([...Array(12).keys()]);
  });

  // The render CLI and a worker hand their providers to the graph threads (a thread's environment is its own copy).
  it.skipIf(cudaMissing === null)('runs the onnx-graph backend on the providers given: cuda alone, where it is missing, fails naming it', async () => {
    const pool = await createRenderPool(prepared, 1, { backend: 'onnx-graph', providers: ['cuda'] });
    try {
      await expect(pool.renderFrames(2, motionOf, () => {})).rejects.toThrow(`No execution provider could load mesh-warp.onnx (cuda: ${cudaMissing})`);
    } finally {
      await pool.close();
    }
  });

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

describe('startRenderThreads', () => {
  const portraits = [syntheticPortrait(256), syntheticPortrait(192)];
  const prepared = portraits.map((p) => prepareMeshwarp({ image: p, landmarks: p.landmarks }));
  const expected = prepared.map((prep) => {
    const direct = createMeshwarpRendererFromPrepared(prep);
    return Array.from({ length: 8 }, (_, i) => direct.renderFrame(motionOf(i)).slice());
  });

  const collect = async (pool: { renderFrames: (n: number, m: typeof motionOf, c: (f: Uint8Array, i: number) => void) => Promise<void> }): Promise<Uint8Array[]> => {
    const frames: Uint8Array[] = [];
    await pool.renderFrames(8, motionOf, (frame) => {
      frames.push(frame.slice());
    });
    return frames;
  };

  it('renders two portraits at once on the same threads, each equal to rendering on this thread', async () => {
    const threads = startRenderThreads(2);
    try {
      const pools = prepared.map((p) => threads.portrait(p));
      const rendered = await Promise.all(pools.map(collect));
      rendered.forEach((frames, p) => frames.forEach((frame, i) => expect(Buffer.compare(frame, expected[p]![i]!)).toBe(0)));
      await pools[0]!.close();
      const again = await collect(pools[1]!);
      again.forEach((frame, i) => expect(Buffer.compare(frame, expected[1]![i]!)).toBe(0));
      await expect(collect(pools[0]!)).rejects.toMatchObject({ code: 'ENGINE_RENDER_THREAD_DIED', message: expect.stringContaining('is not loaded') });
    } finally {
      await threads.close();
    }
  });

  it('renders the same bytes on threads started with the warm-up, the frames at its own zooms included', async () => {
    // The warm-up renders zoomed poses, and the camera zoom keeps the background of the last zoom it drew.
    const zoomedOf = (index: number): Float32Array => {
      const motion = index < WARM_UP_POSES.length ? WARM_UP_POSES[index]!.slice() : motionOf(index);
      motion[CHANNEL.head_scale] = motion[CHANNEL.head_scale]! + (index % 2 === 0 ? 0 : 0.01);
      return motion;
    };
    const direct = createMeshwarpRendererFromPrepared(prepared[0]!);
    const count = WARM_UP_POSES.length + 4;
    const wanted = Array.from({ length: count }, (_, i) => direct.renderFrame(zoomedOf(i)).slice());
    expect(WARM_UP_POSES.some((pose) => pose[CHANNEL.head_scale] !== 0)).toBe(true);
    const threads = startRenderThreads(2, { warmUp: true });
    try {
      const pool = threads.portrait(prepared[0]!);
      const frames: Uint8Array[] = [];
      await pool.renderFrames(count, zoomedOf, (frame) => void frames.push(frame.slice()));
      frames.forEach((frame, i) => expect(Buffer.compare(frame, wanted[i]!)).toBe(0));
      // A later portrait is not warmed again; it renders as well.
      const second = threads.portrait(prepared[1]!);
      const again = await collect(second);
      again.forEach((frame, i) => expect(Buffer.compare(frame, expected[1]![i]!)).toBe(0));
    } finally {
      await threads.close();
    }
  });

  it('reports a portrait that cannot be loaded when it is rendered, and keeps serving the others', async () => {
    const threads = startRenderThreads(1);
    try {
      const broken = threads.portrait({ ...prepared[0]!, image: new Uint8Array(3) });
      await expect(collect(broken)).rejects.toMatchObject({ code: 'ENGINE_RENDER_THREAD_DIED', message: expect.stringContaining('Frame 0') });
      const good = await collect(threads.portrait(prepared[1]!));
      good.forEach((frame, i) => expect(Buffer.compare(frame, expected[1]![i]!)).toBe(0));
    } finally {
      await threads.close();
    }
  });

  it('replaces a thread that dies, with the portraits it held, and renders on', async () => {
    // One thread: every frame after the crash comes from its replacement.
    const threads = startRenderThreads(1, { script: new URL('./testing/crashing-render-worker.ts', import.meta.url) });
    try {
      const pool = threads.portrait(prepared[0]!);
      const crash = (index: number): Float32Array => {
        const motion = motionOf(index);
        if (index === 3) motion[0] = CRASH_MOTION_VALUE;
        return motion;
      };
      await expect(pool.renderFrames(8, crash, () => {})).rejects.toMatchObject({ code: 'ENGINE_RENDER_THREAD_DIED', message: expect.stringContaining('exit code 3') });
      // Until the replacement runs (it died young: after a pause), renders fail at once.
      let frames: Uint8Array[] | null = null;
      for (const deadline = Date.now() + 10_000; frames === null && Date.now() < deadline; ) {
        frames = await collect(pool).catch(async () => {
          await new Promise((resolve) => setTimeout(resolve, 50));
          return null;
        });
      }
      frames!.forEach((frame, i) => expect(Buffer.compare(frame, expected[0]![i]!)).toBe(0));
      const second = await collect(threads.portrait(prepared[1]!));
      second.forEach((frame, i) => expect(Buffer.compare(frame, expected[1]![i]!)).toBe(0));
    } finally {
      await threads.close();
    }
  });
});
