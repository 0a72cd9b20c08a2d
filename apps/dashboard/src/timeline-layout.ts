import { niceCeiling } from './minute-chart.ts';
import type { TimelineEvent } from './ops-api.ts';

/** One bar of the Gantt chart: where it starts and how wide it is, as fractions of the job's span. */
export interface TimelineBar {
  label: string;
  event: TimelineEvent;
  start: number;
  width: number;
  durationMs: number;
}

export interface TimelineLayout {
  bars: TimelineBar[];
  /** From the first start to the last end (or now, while a step runs). */
  spanMs: number;
  /** Axis marks: fraction of the span and ms from the start. */
  ticks: Array<{ at: number; ms: number }>;
}

const STAGE_RANK = { prepare: 0, segment: 1, stitch: 2 } as const;

function labelOf(event: TimelineEvent): string {
  if (event.stage === 'segment') return `segment ${(event.index ?? 0) + 1}`;
  return event.stage;
}

/** Prepare, the segments in order, stitch: one bar each (a retried step has a bar per attempt), on one time axis. */
export function timelineLayout(events: readonly TimelineEvent[], now: number): TimelineLayout {
  const sorted = [...events].sort((a, b) => STAGE_RANK[a.stage] - STAGE_RANK[b.stage] || (a.index ?? 0) - (b.index ?? 0) || Date.parse(a.startedAt) - Date.parse(b.startedAt));
  const startOf = (e: TimelineEvent): number => Date.parse(e.startedAt);
  const endOf = (e: TimelineEvent): number => (e.endedAt === null ? Math.max(now, startOf(e)) : Date.parse(e.endedAt));
  if (sorted.length === 0) return { bars: [], spanMs: 0, ticks: [] };
  const first = Math.min(...sorted.map(startOf));
  const last = Math.max(...sorted.map(endOf));
  const spanMs = Math.max(1, last - first);
  const bars = sorted.map((event) => {
    const durationMs = endOf(event) - startOf(event);
    return { label: labelOf(event), event, start: (startOf(event) - first) / spanMs, width: Math.max(0, durationMs) / spanMs, durationMs };
  });
  // 1, 2, 5 x 10^n ms steps giving about four marks over the span.
  const step = niceCeiling(spanMs / 4);
  const ticks = [];
  for (let ms = 0; ms <= spanMs; ms += step) ticks.push({ at: ms / spanMs, ms });
  return { bars, spanMs, ticks };
}
