/** Where the CLI writes: process.stdout / process.stderr, or any Writable in tests. */
export interface OutputStream {
  write(text: string): unknown;
  /** True for a terminal: progress is drawn as one updating line. */
  isTTY?: boolean;
  /** Terminal width in characters, when known. */
  columns?: number;
}

/** Seconds as m:ss or h:mm:ss. */
export function formatClock(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
