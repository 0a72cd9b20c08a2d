import { embedWatermark } from '@portrait-farm/watermark/embed';
import { drawAiLabel } from './ai-label.ts';

/** The invisible watermark a render embeds: a 64-bit payload and the key (the watermark's default key if unset). */
export interface EngineWatermark {
  /** 8 bytes (e.g. @portrait-farm/provenance's watermarkPayload). */
  payload: Uint8Array;
  /** @defaultValue @portrait-farm/watermark's DEFAULT_WATERMARK_KEY */
  key?: string | null;
}

/**
 * What is drawn into every rendered frame before it is encoded, by the render thread that rendered it: the visible
 * label, then the invisible watermark. `firstFrame` is the clip frame of a call's frame 0.
 */
export interface FrameMarks {
  label: boolean;
  watermark: EngineWatermark | null;
  firstFrame: number;
}

/** The marks of a call, or null when it draws none (so the request carries nothing). */
export function frameMarks(label: boolean, watermark: EngineWatermark | null, firstFrame: number): FrameMarks | null {
  if (watermark !== null && watermark.payload.length !== 8) throw new RangeError(`The watermark payload must be 8 bytes (given ${watermark.payload.length}).`);
  return label || watermark !== null ? { label, watermark, firstFrame } : null;
}

/** Draws `marks` into an RGB24 frame in place; `index` is the frame's place in its call. */
export function markFrame(frame: Uint8Array, width: number, height: number, marks: FrameMarks, index: number): void {
  if (marks.label) drawAiLabel(frame, width, height);
  const watermark = marks.watermark;
  if (watermark !== null) {
    embedWatermark({ width, height, data: frame }, watermark.payload, marks.firstFrame + index, watermark.key == null ? {} : { key: watermark.key });
  }
}
