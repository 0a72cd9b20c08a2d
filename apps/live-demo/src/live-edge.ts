// Keeping a live stream near its live edge: the page starts a little behind the newest frame and then plays
// slightly faster while it is further behind than it wants to be, so the delay does not creep up.

/** How far behind the newest buffered frame the page aims to play (seconds). */
export const TARGET_BEHIND_SECONDS = 0.12;
/** Behind more than this, the page jumps to the target at once. */
export const JUMP_BEHIND_SECONDS = 1.0;

export type EdgeAction = { kind: 'jump'; to: number } | { kind: 'rate'; rate: number } | { kind: 'wait' };

/** What to do, given the playback position and the end of what is buffered. */
export function liveEdgeAction(currentTime: number, bufferedEnd: number | null): EdgeAction {
  if (bufferedEnd === null) return { kind: 'wait' };
  const behind = bufferedEnd - currentTime;
  if (behind > JUMP_BEHIND_SECONDS) return { kind: 'jump', to: bufferedEnd - TARGET_BEHIND_SECONDS };
  if (behind > TARGET_BEHIND_SECONDS * 2) return { kind: 'rate', rate: 1.1 };
  if (behind > TARGET_BEHIND_SECONDS * 1.3) return { kind: 'rate', rate: 1.03 };
  return { kind: 'rate', rate: 1 };
}
