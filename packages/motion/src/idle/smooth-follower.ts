export interface SmoothFollower {
  /** Moves one frame towards `target` and returns where it is. */
  next(target: number): number;
}

/**
 * A value that follows a target through two cascaded one-pole filters with time constant `seconds`: a step of the
 * target becomes an S-shaped move that starts and ends with zero speed (90 % there after about 3.9 time constants).
 */
export function createSmoothFollower(seconds: number, fps: number, start = 0): SmoothFollower {
  const a = 1 - Math.exp(-1 / (seconds * fps));
  let first = start;
  let second = start;
  return {
    next(target) {
      first += a * (target - first);
      second += a * (first - second);
      return second;
    },
  };
}
