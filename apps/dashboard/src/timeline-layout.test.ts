import { describe, expect, it } from 'vitest';
import type { TimelineEvent } from './ops-api.ts';
import { timelineLayout } from './timeline-layout.ts';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();
const step = (stage: TimelineEvent['stage'], index: number | null, from: number, to: number | null, worker: string | null = null): TimelineEvent => ({
  stage,
  index,
  worker,
  startedAt: at(from),
  endedAt: to === null ? null : at(to),
  frames: stage === 'segment' ? 50 : null,
  status: to === null ? 'running' : 'done',
});

describe('timelineLayout', () => {
  it('orders prepare, the segments by index, stitch, and places each on the job\'s span', () => {
    const layout = timelineLayout([step('stitch', null, 18, 20), step('segment', 1, 4, 12, 'w2'), step('prepare', null, 0, 2, 'w1'), step('segment', 0, 2, 10, 'w1')], T0 + 60_000);
    expect(layout.bars.map((b) => b.label)).toEqual(['prepare', 'segment 1', 'segment 2', 'stitch']);
    expect(layout.spanMs).toBe(20_000);
    expect(layout.bars[2]).toMatchObject({ start: 0.2, width: 0.4, durationMs: 8000 });
    expect(layout.bars[2]!.event.worker).toBe('w2');
    expect(layout.ticks.map((t) => t.ms)).toEqual([0, 5000, 10_000, 15_000, 20_000]);
  });

  it('lets a running step reach now', () => {
    const layout = timelineLayout([step('prepare', null, 0, 2), step('segment', 0, 2, null)], T0 + 10_000);
    expect(layout.spanMs).toBe(10_000);
    expect(layout.bars[1]).toMatchObject({ start: 0.2, width: 0.8 });
  });

  it('is empty before any step started', () => {
    expect(timelineLayout([], T0).bars).toEqual([]);
  });
});
