import { el } from './dom.ts';
import { count } from './format.ts';
import { minuteBarChart } from './minute-chart.ts';
import type { ThroughputMinute } from './ops-api.ts';

function legend(...items: Array<[string, string]>): HTMLElement {
  return el('ul', { class: 'legend' }, ...items.map(([className, name]) => el('li', {}, el('span', { class: `swatch ${className}` }), name)));
}

/** Jobs finished (succeeded and failed) and frames rendered per minute over the last hour, with the hour's totals. */
export function throughputCharts(minutes: readonly ThroughputMinute[]): HTMLElement {
  const labels = minutes.map((m) => m.minute);
  const succeeded = minutes.reduce((sum, m) => sum + m.succeeded, 0);
  const failed = minutes.reduce((sum, m) => sum + m.failed, 0);
  const frames = minutes.reduce((sum, m) => sum + m.frames, 0);
  const failureRate = succeeded + failed === 0 ? null : failed / (succeeded + failed);
  return el(
    'div',
    { class: 'chart-grid-2' },
    el(
      'figure',
      { class: 'chart-card', 'data-chart': 'jobs' },
      el(
        'figcaption',
        {},
        el('h3', {}, 'Jobs finished per minute'),
        el(
          'p',
          { class: 'chart-summary' },
          el('strong', { class: 'text-ok', 'data-total': 'succeeded' }, count(succeeded)),
          ' succeeded · ',
          el('strong', { class: failed > 0 ? 'text-bad' : '', 'data-total': 'failed' }, count(failed)),
          ' failed',
          failureRate === null ? '' : ` · failure rate ${(failureRate * 100).toFixed(1)} %`,
        ),
      ),
      minuteBarChart(labels, [
        { name: 'succeeded', className: 'series-ok', values: minutes.map((m) => m.succeeded) },
        { name: 'failed', className: 'series-bad', values: minutes.map((m) => m.failed) },
      ], 'Jobs succeeded and failed per minute, last 60 minutes'),
      legend(['series-ok', 'succeeded'], ['series-bad', 'failed']),
    ),
    el(
      'figure',
      { class: 'chart-card', 'data-chart': 'frames' },
      el('figcaption', {}, el('h3', {}, 'Frames rendered per minute'), el('p', { class: 'chart-summary' }, el('strong', { 'data-total': 'frames' }, count(frames)), ' frames in the last hour')),
      minuteBarChart(labels, [{ name: 'frames', className: 'series-frames', values: minutes.map((m) => m.frames) }], 'Frames rendered per minute, last 60 minutes'),
      legend(['series-frames', 'frames']),
    ),
  );
}
