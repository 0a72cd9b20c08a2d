/** First motion channel that makes testing/crashing-render-worker.ts die (exit code 3) instead of rendering. */
export const CRASH_MOTION_VALUE = 12345;
