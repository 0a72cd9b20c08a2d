import { el } from './dom.ts';
import { clock, duration } from './format.ts';
import { statusPill } from './jobs-table.ts';
import type { JobTimeline } from './ops-api.ts';
import { timelineLayout } from './timeline-layout.ts';
import type { TimelineBar } from './timeline-layout.ts';

/** Bars narrower than this share of the axis carry no text. */
const NARROW_BAR = 0.07;

function barDetails(bar: TimelineBar): string {
  const { event } = bar;
  const parts = [`${bar.label}: ${event.status}`, `${clock(event.startedAt)} to ${event.endedAt === null ? 'now' : clock(event.endedAt)} (${duration(bar.durationMs)})`];
  if (event.worker !== null) parts.push(`worker ${event.worker}`);
  if (event.frames !== null) parts.push(`${event.frames} frames`);
  if (event.error !== undefined && event.error !== null) parts.push(event.error);
  return parts.join(' · ');
}

function row(bar: TimelineBar): HTMLElement {
  const { event } = bar;
  return el(
    'div',
    { class: `gantt-row stage-${event.stage}`, 'data-stage': event.stage, 'data-index': event.index ?? '', 'data-worker': event.worker ?? '', 'data-status': event.status },
    el('div', { class: 'gantt-label' }, el('span', { class: 'gantt-stage' }, bar.label), el('span', { class: 'gantt-worker' }, event.worker ?? '')),
    el(
      'div',
      { class: 'gantt-track' },
      el(
        'div',
        { class: `gantt-bar bar-${event.status}`, style: `left: ${(bar.start * 100).toFixed(2)}%; width: max(3px, ${(bar.width * 100).toFixed(2)}%)`, title: barDetails(bar) },
        // A narrow bar keeps its figures in its tooltip only: cut short they would read wrong ("733 m").
        bar.width < NARROW_BAR ? null : el('span', { class: 'gantt-bar-text' }, `${duration(bar.durationMs)}${event.frames === null ? '' : ` · ${event.frames} f`}`),
      ),
    ),
  );
}

/** The job's steps on one time axis: prepare, each segment with the worker that ran it, stitch. */
export function jobTimeline(timeline: JobTimeline, now: number): HTMLElement {
  const layout = timelineLayout(timeline.events, now);
  const header = el(
    'header',
    { class: 'timeline-header' },
    el('h3', {}, 'Job ', el('code', { class: 'job-id' }, timeline.id)),
    statusPill(timeline.status),
    layout.bars.length === 0 ? null : el('span', { class: 'muted' }, `${duration(layout.spanMs)} from first step to ${timeline.events.some((e) => e.endedAt === null) ? 'now' : 'last'}`),
  );
  if (layout.bars.length === 0) return el('div', { class: 'timeline' }, header, el('p', { class: 'empty' }, 'No step has started yet: the job waits in the prepare queue.'));
  return el(
    'div',
    { class: 'timeline', 'data-job-id': timeline.id },
    header,
    el('div', { class: 'gantt' }, ...layout.bars.map(row)),
    el('div', { class: 'gantt-axis' }, el('div', { class: 'gantt-label' }), el('div', { class: 'gantt-track' }, ...layout.ticks.map((t) => el('span', { class: 'gantt-tick', style: `left: ${(t.at * 100).toFixed(2)}%` }, t.ms === 0 ? '0 s' : `+${duration(t.ms)}`)))),
  );
}
