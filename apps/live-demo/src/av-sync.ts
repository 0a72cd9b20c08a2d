/**
 * The video receiver's jitterBufferTarget the page starts with (ms). Even with the packets arriving evenly, Chromium
 * plays the sound about 30 ms after the picture (its audio jitter buffer and output hold more than the video's); its
 * own A/V sync makes that up over about 10 s. Holding the picture this long from the start plays it with the sound
 * (docs/realtime.md "WebRTC"). It delays nothing a viewer can see or hear: the sound is the later of the two.
 */
export const VIDEO_TARGET_START_MS = 60;

/** The most the page holds the picture for the sound (ms). */
export const VIDEO_TARGET_MAX_MS = 1000;

/** An A/V offset within this is left alone (ms): getStats' estimates move by a few ms between reads. */
export const AV_OFFSET_DEAD_BAND_MS = 15;

/**
 * The video receiver's next jitterBufferTarget (ms), given the A/V offset the page just read (audio minus video
 * `estimatedPlayoutTimestamp`, ms; negative: the sound plays late). When the worker was held up, Chromium's audio
 * jitter buffer grows at once and the video's hardly at all, and Chromium's sync takes about 10 s to follow: the page
 * holds the picture for half of how late the sound is at each read instead (the video's delay moves gradually to a
 * new target, so half a step does not overshoot), and lets go of all of how early it is once the audio buffer shrinks
 * again, never below the start.
 */
export function nextVideoTarget(currentMs: number, offsetMs: number): number {
  if (!Number.isFinite(offsetMs) || Math.abs(offsetMs) <= AV_OFFSET_DEAD_BAND_MS) return currentMs;
  const step = offsetMs < 0 ? offsetMs / 2 : offsetMs;
  return Math.round(Math.min(VIDEO_TARGET_MAX_MS, Math.max(VIDEO_TARGET_START_MS, currentMs - step)));
}
