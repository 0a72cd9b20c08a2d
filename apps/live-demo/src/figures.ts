import type { Percentiles } from './session-client.ts';

/** "p50 120 · p95 180 ms", or "-" before any value. */
export function formatPercentiles(p: Percentiles | undefined): string {
  if (p === undefined || p.count === 0 || p.p50 === null) return '-';
  return `p50 ${Math.round(p.p50)} · p95 ${Math.round(p.p95 ?? p.p50)} ms`;
}

/** "3 of 1,250 (0.24 %)". */
export function formatShare(part: number, whole: number): string {
  if (whole === 0) return '-';
  return `${part.toLocaleString('en')} of ${whole.toLocaleString('en')} (${((100 * part) / whole).toFixed(2)} %)`;
}
