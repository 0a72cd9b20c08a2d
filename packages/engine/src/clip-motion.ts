import type { FeatureMatrix } from '@portrait-farm/motion';
import type { Engine } from './engine.ts';
import { throwIfAborted } from './prepare-clip.ts';
import type { PreparedClip, SegmentRelay } from './prepared-clip.ts';
import { generateSegmentMotion, segmentFeatures, segmentOutputMotion } from './segment-motion.ts';

/**
 * Every segment's output motion, generated in order in the background: element i settles once segment i's motion
 * is made, so its frames can render while the segments after it are still generated. The next segment's audio
 * features are computed (audio thread) while a segment's motion is (denoiser thread). After a failure or an abort
 * every later element rejects with the same error. The promises never count as unhandled rejections.
 */
export function generateClipMotion(engine: Engine, clip: PreparedClip, options: { signal?: AbortSignal | null } = {}): Array<Promise<Float32Array>> {
  const signal = options.signal ?? null;
  const settlers = clip.segments.map(() => {
    let resolve!: (motion: Float32Array) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<Float32Array>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => {});
    return { promise, resolve, reject };
  });

  const run = async (): Promise<void> => {
    let relay: SegmentRelay | null = null;
    let nextFeatures: Promise<FeatureMatrix> | null = null;
    for (const segment of clip.segments) {
      const features: Promise<FeatureMatrix> = nextFeatures ?? segmentFeatures(engine, clip, segment);
      const following = clip.segments[segment.index + 1];
      nextFeatures = following === undefined ? null : segmentFeatures(engine, clip, following);
      nextFeatures?.catch(() => {});
      throwIfAborted(signal);
      const generated = await generateSegmentMotion(engine, clip, segment, relay, await features);
      settlers[segment.index]!.resolve(segmentOutputMotion(engine, clip, segment, relay, generated.motion));
      relay = generated.relay;
    }
  };
  run().catch((error: unknown) => {
    for (const settler of settlers) settler.reject(error);
  });
  return settlers.map((settler) => settler.promise);
}
