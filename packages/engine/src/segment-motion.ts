import { samplesForFrames } from '@portrait-farm/audio-features';
import { MOTION_CHANNEL_COUNT as C } from '@portrait-farm/contracts';
import { applyControls, createMotionGenerator, resampleRange, type FeatureMatrix } from '@portrait-farm/motion';
import type { Engine } from './engine.ts';
import { EngineError } from './errors.ts';
import { retargetToPortrait } from './retarget.ts';
import type { PreparedClip, SegmentRelay } from './prepared-clip.ts';
import type { SegmentPlan } from './segment-plan.ts';

/** Motion a segment generated: frames [motionStart, motionEnd) as the denoiser made them, and the relay onwards. */
export interface SegmentMotion {
  motion: Float32Array;
  relay: SegmentRelay;
}

/**
 * The audio feature rows a segment's windows read, clip frames [firstWindow*W, min(motionFrames, (firstWindow +
 * windowCount)*W)), floored at the clip's mel peak: equal bit for bit to the same rows of the whole clip's features.
 * Only the stretch of samples these rows read is read from the clip's audio.
 */
export async function segmentFeatures(engine: Engine, clip: PreparedClip, segment: SegmentPlan): Promise<FeatureMatrix> {
  const w = engine.pack.denoiser.window;
  const start = Math.min(clip.motionFrames, segment.firstWindow * w);
  const end = Math.min(clip.motionFrames, (segment.firstWindow + segment.windowCount) * w);
  const clipLength = clip.audio.sampleCount;
  const needed = samplesForFrames(start, end);
  const from = Math.min(clipLength, Math.max(0, needed.start));
  const to = Math.max(from, Math.min(clipLength, needed.end));
  const stretch = { samples: await clip.audio.read(from, to), offset: from, clipLength };
  const rows = await engine.audio.featuresRange(stretch, start, end, { melPeak: clip.melPeak });
  return { ...rows, clipFrameCount: clip.motionFrames };
}

/**
 * The chained part of a segment: its windows' motion, conditioned on the previous segment's relay (null for the
 * first), from its own audio feature rows ({@link segmentFeatures}). Cheap next to rendering; the farm runs it first
 * and releases the next segment with the relay.
 */
export async function generateSegmentMotion(
  engine: Engine,
  clip: PreparedClip,
  segment: SegmentPlan,
  relay: SegmentRelay | null,
  features: FeatureMatrix,
): Promise<SegmentMotion> {
  if ((segment.index === 0) !== (relay === null)) {
    throw new EngineError('ENGINE_BAD_OPTION', `segment ${segment.index} ${segment.index === 0 ? 'takes no relay' : 'needs the relay of the segment before it'}`);
  }
  const pack = engine.pack;
  const generator = await createMotionGenerator(pack, engine.denoiser, {
    silenceFeature: engine.silenceFeature,
    seed: clip.motion.seed,
    ...(clip.motion.steps === null ? {} : { steps: clip.motion.steps }),
    ...(clip.motion.solver === null ? {} : { solver: clip.motion.solver }),
    ...(clip.motion.guidance === null ? {} : { guidance: clip.motion.guidance }),
  });
  const result = await generator.generateSegment({
    firstWindow: segment.firstWindow,
    windowCount: segment.windowCount,
    features,
    tail: relay?.tail ?? null,
  });
  const k = pack.denoiser.context;
  const windowsEnd = (segment.firstWindow + segment.windowCount) * pack.denoiser.window;
  const motion = result.motion.slice(0, (segment.motionEnd - segment.motionStart) * C);
  return { motion, relay: { tail: result.tail, motion: result.motion.slice((windowsEnd - k - segment.motionStart) * C) } };
}

/**
 * Output motion of a segment's frames: the relayed and the segment's own motion fitted to the portrait, with the
 * controls applied, resampled
 * to the output rate. Equal, frame for frame, to the same frames of a whole-clip run.
 */
export function segmentOutputMotion(engine: Engine, clip: PreparedClip, segment: SegmentPlan, relay: SegmentRelay | null, motion: Float32Array): Float32Array {
  const before = relay === null ? 0 : relay.motion.length / C;
  const known = new Float32Array(relay === null ? motion.length : relay.motion.length + motion.length);
  if (relay !== null) known.set(relay.motion);
  known.set(motion, relay === null ? 0 : relay.motion.length);
  const firstFrame = segment.motionStart - before;
  const pack = engine.pack;
  const controlled = applyControls(
    { fps: pack.fps, frameCount: known.length / C, data: retargetToPortrait(known, clip.neutral, pack.channelMean) },
    clip.motion.controls,
    { channelMean: pack.channelMean, firstFrame },
  );
  return resampleRange({ fps: pack.fps, frameCount: clip.motionFrames, firstFrame, data: controlled.data }, clip.fps, segment.frameStart, segment.frameEnd);
}
