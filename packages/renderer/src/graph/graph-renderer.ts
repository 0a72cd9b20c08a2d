import { MOTION_CHANNEL_COUNT } from '@portrait-farm/contracts/constants';
import { createModelSessionFromBytes, type ExecutionProvider, type ModelSession } from '@portrait-farm/model-runtime';
import { RendererError } from '../errors.ts';
import type { PreparedMeshwarp } from '../prepared.ts';
import { createFramePlanner, type FrameGeometry } from './frame-plan.ts';
import { MESH_WARP_GRAPH_NAME, MESH_WARP_LAYERS, meshWarpGraphBytes } from './mesh-warp-graph.ts';
import { clearTriangleRaster, MAP_SIZE, rasteriseTriangleIds, type TriangleRasterTarget } from './triangle-id-raster.ts';

/** Options of {@link createGraphRendererFromPrepared}. */
export interface GraphRendererOptions {
  /**
   * Execution providers to try, in order (`cuda` puts the warp on the GPU).
   * @defaultValue PORTRAIT_FARM_PROVIDERS, else cuda, webgpu, cpu
   */
  providers?: ExecutionProvider[];
  /**
   * Threads onnxruntime may use inside one run (CPU provider).
   * @defaultValue 1
   */
  intraOpThreads?: number;
  /** Receives the line naming the provider that runs the graph. @defaultValue none */
  log?: (line: string) => void;
}

/**
 * A renderer for one portrait whose warp runs as an ONNX graph (mesh-warp-graph.ts) in an onnxruntime thread: the
 * CPU plans each frame's geometry and rasterises triangle ids, the graph samples and blends every pixel of a batch,
 * the CPU paints eyeballs, lash lines and mouth interior over the result.
 */
export interface GraphRenderer {
  width: number;
  height: number;
  neutral: Float32Array;
  provider: ExecutionProvider;
  /**
   * Pixels, over every frame rendered so far, where a third ring triangle folded over two others: there the CPU warp
   * blends all three and the graph the first and the last (see triangle-id-raster.ts).
   */
  readonly overflowPixels: number;
  /**
   * Renders one frame per motion (20 channels each) in one graph run: RGB frames, width * height * 3 bytes each.
   * One call at a time (the batch buffers are reused).
   */
  renderFrames(motions: readonly Float32Array[]): Promise<Uint8Array[]>;
  close(): Promise<void>;
}

function validateMotion(motion: Float32Array): void {
  if (motion.length !== MOTION_CHANNEL_COUNT || !motion.every(Number.isFinite)) {
    throw new RendererError('INVALID_MOTION', `motion must hold ${MOTION_CHANNEL_COUNT} finite channels, got ${Array.from(motion).join(', ')}`);
  }
}

/** Per batch size, the buffers of one graph run. */
interface BatchBuffers {
  background: Uint8Array;
  /** First id layer of every frame, then (from frames * pixels on) the second: the two-layer graph's input. */
  ids: Int32Array;
  maps: Float32Array;
  geometry: FrameGeometry[];
}

export async function createGraphRendererFromPrepared(prepared: PreparedMeshwarp, options: GraphRendererOptions = {}): Promise<GraphRenderer> {
  const { width, height } = prepared;
  const pixels = width * height;
  const planner = createFramePlanner(prepared);
  const mapsPerFrame = prepared.triangles.length / 3 + 1;
  const sessionOptions = {
    ...(options.providers === undefined ? {} : { providers: options.providers }),
    intraOpThreads: options.intraOpThreads ?? 1,
  };
  // One graph per layer count: a batch without folded ring triangles (most) samples one layer, not two.
  const [single, folded]: ModelSession[] = await Promise.all([
    createModelSessionFromBytes(MESH_WARP_GRAPH_NAME, meshWarpGraphBytes(1), { ...sessionOptions, ...(options.log === undefined ? {} : { log: options.log }) }),
    createModelSessionFromBytes(MESH_WARP_GRAPH_NAME, meshWarpGraphBytes(MESH_WARP_LAYERS), sessionOptions),
  ]);
  const portrait = { data: prepared.image, dims: [height, width, 3] };
  let buffers: BatchBuffers | null = null;
  let rendering = false;
  let overflowPixels = 0;

  function batchBuffers(frames: number): BatchBuffers {
    if (buffers?.geometry.length !== frames) {
      buffers = {
        background: new Uint8Array(frames * pixels * 3),
        ids: new Int32Array(MESH_WARP_LAYERS * frames * pixels),
        maps: new Float32Array(frames * mapsPerFrame * MAP_SIZE),
        geometry: Array.from({ length: frames }, () => planner.createFrameGeometry()),
      };
    }
    return buffers;
  }

  return {
    width,
    height,
    neutral: Float32Array.from(prepared.neutral),
    provider: single!.provider,
    get overflowPixels() {
      return overflowPixels;
    },
    async renderFrames(motions: readonly Float32Array[]): Promise<Uint8Array[]> {
      if (motions.length === 0) return [];
      if (rendering) throw new RendererError('GRAPH_BUSY', 'renderFrames was called again before its previous batch finished');
      motions.forEach(validateMotion);
      rendering = true;
      try {
        return await renderBatch(motions);
      } finally {
        rendering = false;
      }
    },
    close: async () => {
      await Promise.all([single!.close(), folded!.close()]);
    },
  };

  async function renderBatch(motions: readonly Float32Array[]): Promise<Uint8Array[]> {
      const batch = batchBuffers(motions.length);
      let foldedPixels = 0;
      motions.forEach((motion, n) => {
        const geometry = batch.geometry[n]!;
        batch.background.set(planner.plan(motion, geometry), n * pixels * 3);
        const target: TriangleRasterTarget = {
          width, height,
          ids: batch.ids.subarray(n * pixels, (n + 1) * pixels),
          folded: batch.ids.subarray((motions.length + n) * pixels, (motions.length + n + 1) * pixels),
          maps: batch.maps.subarray(n * mapsPerFrame * MAP_SIZE, (n + 1) * mapsPerFrame * MAP_SIZE),
          firstMap: n * mapsPerFrame,
          foldedPixels: 0,
          overflowPixels: 0,
        };
        clearTriangleRaster(target);
        for (const pass of planner.warpPasses(geometry)) rasteriseTriangleIds(target, pass, prepared.triangles);
        foldedPixels += target.foldedPixels;
        overflowPixels += target.overflowPixels;
      });
      const layers = foldedPixels > 0 ? MESH_WARP_LAYERS : 1;
      const outputs = await (layers === 1 ? single! : folded!).run({
        portrait,
        background: { data: batch.background, dims: [motions.length, height, width, 3] },
        // A copy of the first layer alone: a view would carry the whole buffer across the thread boundary.
        triangle_ids: { data: layers === 1 ? batch.ids.slice(0, motions.length * pixels) : batch.ids, dims: [layers, motions.length, height, width] },
        triangle_maps: { data: batch.maps, dims: [motions.length * mapsPerFrame, 3, 3] },
      });
      const frames = outputs['frames']?.data;
      if (!(frames instanceof Uint8Array) || frames.length !== motions.length * pixels * 3) {
        throw new RendererError('INVALID_SIZE', `the warp graph must return ${motions.length} frames of ${pixels * 3} bytes as uint8`);
      }
      return batch.geometry.map((geometry, n) => {
        const frame = frames.subarray(n * pixels * 3, (n + 1) * pixels * 3);
        const ids = batch.ids.subarray(n * pixels, (n + 1) * pixels);
        const firstMap = n * mapsPerFrame + 1;
        planner.paint(geometry, frame, { ids, first: firstMap + planner.facePass.first, end: firstMap + planner.facePass.end });
        return frame;
      });
  }
}
