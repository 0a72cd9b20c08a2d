import type { LiveKitRtc } from './livekit-surface.ts';

/** The real @livekit/rtc-node, loaded on first use (its native library is not loaded by importing this package). */
export async function loadRtcNode(): Promise<LiveKitRtc> {
  const rtc = await import('@livekit/rtc-node');
  const surface: LiveKitRtc = rtc;
  return surface;
}
