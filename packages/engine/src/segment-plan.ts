import { EngineError } from './errors.ts';

/**
 * One segment of a clip: a run of whole motion windows, and the output frames it renders. Segment i generates
 * motion frames [motionStart, motionEnd) (its windows, cut at the audio's end) and renders the output frames whose
 * motion position (frame * packFps / fps) lies in [motionStart - LOOKBACK, motionEnd - LOOKBACK): the first segment
 * from frame 0, the last to the clip's end. Every frame it renders then needs only motion it generated or received
 * in the previous segment's context tail, so segments render independently once their motion exists.
 */
export interface SegmentPlan {
  index: number;
  firstWindow: number;
  windowCount: number;
  motionStart: number;
  motionEnd: number;
  /** First output frame of the segment. */
  frameStart: number;
  /** One past its last output frame. */
  frameEnd: number;
}

/** Motion frames a segment leaves to the next one: resampling reads at most this far past an output position. */
export const LOOKBACK = 2;

/** Options of {@link planSegments}. */
export interface SegmentPlanInput {
  /** Motion frames of the clip (audio feature rows at the pack's fps). */
  motionFrames: number;
  /** Output frames of the clip. */
  outputFrames: number;
  /** The pack's frame rate. */
  packFps: number;
  /** The output frame rate. */
  fps: number;
  /** W: motion frames per window. */
  window: number;
  /** K: context frames relayed from one window to the next; must cover the resampling look-back. */
  context: number;
  /** Windows of the segments in turn, the last entry repeated to the clip's end (DEFAULT_SEGMENT_WINDOWS). */
  segmentWindows: readonly number[];
}

/**
 * Windows of a clip's segments, the last repeated: a first segment of one window (2 s at 25 fps) keeps the time to
 * the first chunk short, and later ones grow to 3 windows (6 s), since every segment costs a chunk encoder's start
 * (an ffmpeg process) and a step's storage and queue work, while smaller segments spread a job more evenly over
 * workers (docs/performance.md, "Segments that grow").
 */
export const DEFAULT_SEGMENT_WINDOWS: readonly number[] = [1, 2, 3];

/** First output frame whose motion position is at or after `position`. */
function firstFrameAt(position: number, packFps: number, fps: number): number {
  let frame = Math.ceil((position * fps) / packFps);
  while (frame > 0 && ((frame - 1) * packFps) / fps >= position) frame--;
  while ((frame * packFps) / fps < position) frame++;
  return frame;
}

/** Splits a clip into segments of whole windows; the plan depends only on its inputs, so every process agrees. */
export function planSegments(input: SegmentPlanInput): SegmentPlan[] {
  const { motionFrames, outputFrames, packFps, fps, window, context, segmentWindows } = input;
  if (segmentWindows.length === 0 || !segmentWindows.every((count) => Number.isInteger(count) && count >= 1)) {
    throw new EngineError('ENGINE_BAD_OPTION', `segmentWindows must list whole numbers of at least 1. Passed: [${segmentWindows.join(', ')}]`);
  }
  if (context < LOOKBACK + 2) {
    throw new EngineError('ENGINE_BAD_OPTION', `the pack's context (${context} frames) must be at least ${LOOKBACK + 2} to relay motion between segments`);
  }
  const windows = Math.max(1, Math.ceil(motionFrames / window));
  const segments: SegmentPlan[] = [];
  for (let first = 0, index = 0; first < windows; index++) {
    const windowCount = Math.min(segmentWindows[Math.min(index, segmentWindows.length - 1)]!, windows - first);
    const motionStart = first * window;
    const motionEnd = Math.min(motionFrames, (first + windowCount) * window);
    const last = first + windowCount >= windows;
    const frameStart = index === 0 ? 0 : Math.min(outputFrames, firstFrameAt(motionStart - LOOKBACK, packFps, fps));
    const frameEnd = last ? outputFrames : Math.min(outputFrames, firstFrameAt(motionEnd - LOOKBACK, packFps, fps));
    segments.push({ index, firstWindow: first, windowCount, motionStart, motionEnd, frameStart, frameEnd });
    first += windowCount;
  }
  return segments;
}
