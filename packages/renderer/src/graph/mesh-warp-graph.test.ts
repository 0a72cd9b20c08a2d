import { createModelSessionFromBytes, type ModelSession } from '@portrait-farm/model-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meshWarpGraph, meshWarpGraphBytes } from './mesh-warp-graph.ts';
import { MAP_SIZE } from './triangle-id-raster.ts';

const H = 4;
const W = 5;
const FRAMES = 2;
const LAYERS = 2;

/** Row 1: the identity map (each pixel samples its own centre) with opacity `opacity`. */
function identityMap(opacity: number): number[] {
  return [-1, 2 / W, 0, -1, 0, 2 / H, opacity, 0, 0];
}

const portrait = Uint8Array.from({ length: H * W * 3 }, (_, i) => (i * 37) % 256);

describe('the mesh warp graph', () => {
  let session: ModelSession;
  beforeAll(async () => {
    session = await createModelSessionFromBytes('mesh-warp.onnx', meshWarpGraphBytes(LAYERS), { providers: ['cpu'] });
  });
  afterAll(async () => {
    await session.close();
  });

  async function run(ids: Int32Array, maps: number[], background: Uint8Array): Promise<Uint8Array> {
    const outputs = await session.run({
      portrait: { data: portrait, dims: [H, W, 3] },
      background: { data: background, dims: [FRAMES, H, W, 3] },
      triangle_ids: { data: ids, dims: [LAYERS, FRAMES, H, W] },
      triangle_maps: { data: Float32Array.from(maps), dims: [maps.length / MAP_SIZE, 3, 3] },
    });
    expect(outputs['frames']?.dims).toEqual([FRAMES, H, W, 3]);
    return outputs['frames']!.data as Uint8Array;
  }

  it('uses only standard operators that the CPU and CUDA providers both implement', () => {
    const ops = new Set(meshWarpGraph().nodes.map((node) => node.op));
    expect([...ops].sort()).toEqual(['Add', 'Cast', 'Clip', 'Concat', 'Floor', 'Gather', 'GridSample', 'Mul', 'Range', 'Reshape', 'Shape', 'Split', 'Squeeze', 'Sub', 'Transpose', 'Unsqueeze']);
  });

  it('reproduces the portrait through the identity map, and leaves the background where no triangle is', async () => {
    const background = new Uint8Array(FRAMES * H * W * 3).fill(10);
    // Frame 0 row 1 (identity); frame 1 rows 2 (none) and 3 (identity). Second layer empty everywhere.
    const maps = [...new Array<number>(MAP_SIZE).fill(0), ...identityMap(1), ...new Array<number>(MAP_SIZE).fill(0), ...identityMap(1)];
    const ids = new Int32Array(LAYERS * FRAMES * H * W);
    ids.fill(1, 0, H * W);
    ids.fill(3, H * W, 2 * H * W);
    ids[H * W + 7] = 2;
    ids.fill(0, 2 * H * W, 3 * H * W);
    ids.fill(2, 3 * H * W, 4 * H * W);
    const frames = await run(ids, maps, background);
    expect(Array.from(frames.subarray(0, H * W * 3))).toEqual(Array.from(portrait));
    const second = frames.subarray(H * W * 3);
    expect(Array.from(second.subarray(7 * 3, 8 * 3))).toEqual([10, 10, 10]);
    second.set(portrait.subarray(7 * 3, 8 * 3), 7 * 3);
    expect(Array.from(second)).toEqual(Array.from(portrait));
  });

  it('blends in 1/256 steps rounded as the CPU kernels, the second layer over the first', async () => {
    const background = new Uint8Array(FRAMES * H * W * 3).fill(10);
    const maps = [...new Array<number>(MAP_SIZE).fill(0), ...identityMap(0.5), ...identityMap(0.25)];
    // Frame 0: row 1, then row 2 folded over it; frame 1: row 1 alone.
    const ids = new Int32Array(LAYERS * FRAMES * H * W).fill(1);
    ids.fill(2, 2 * H * W, 3 * H * W);
    ids.fill(0, 3 * H * W, 4 * H * W);
    const frames = await run(ids, maps, background);
    const blend = (under: number, sample: number, k: number): number => (under * (256 - k) + sample * k + 128) >> 8;
    portrait.forEach((sample, i) => {
      expect(frames[i]).toBe(blend(blend(10, sample, 128), sample, 64));
      expect(frames[H * W * 3 + i]).toBe(blend(10, sample, 128));
    });
  });
});
