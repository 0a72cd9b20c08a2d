import { svg } from './dom.ts';
import { count, minuteLabel } from './format.ts';

export interface ChartSeries {
  name: string;
  /** A CSS class giving the bars their colour (see dashboard.css, .series-*). */
  className: string;
  values: readonly number[];
}

const WIDTH = 640;
const HEIGHT = 190;
const PLOT = { left: 44, right: 8, top: 12, bottom: 26 };

/** 1, 2, 5, 10, 20, 50... at or above `value`: round axis maxima. */
export function niceCeiling(value: number): number {
  if (value <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

/**
 * Stacked bars, one per minute (oldest left), of each series; an axis with the maximum and its half, and the time
 * every 15 minutes. Each bar's title names the minute and the values.
 */
export function minuteBarChart(minutes: readonly string[], series: readonly ChartSeries[], label: string): SVGElement {
  const plotWidth = WIDTH - PLOT.left - PLOT.right;
  const plotHeight = HEIGHT - PLOT.top - PLOT.bottom;
  const totals = minutes.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const top = niceCeiling(Math.max(0, ...totals));
  const slot = plotWidth / Math.max(1, minutes.length);
  const y = (value: number): number => PLOT.top + plotHeight - (value / top) * plotHeight;
  const chart = svg('svg', { class: 'chart', viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': label });

  for (const value of [0, top / 2, top]) {
    chart.append(
      svg('line', { class: 'chart-grid', x1: PLOT.left, x2: WIDTH - PLOT.right, y1: y(value), y2: y(value) }),
      svg('text', { class: 'chart-axis', x: PLOT.left - 8, y: y(value) + 4, 'text-anchor': 'end' }, count(value)),
    );
  }
  minutes.forEach((minute, i) => {
    let base = 0;
    const x = PLOT.left + i * slot + 1;
    const title = `${minuteLabel(minute)}: ${series.map((s) => `${count(s.values[i] ?? 0)} ${s.name}`).join(', ')}`;
    const group = svg('g', { class: 'chart-bar' }, svg('title', {}, title));
    for (const s of series) {
      const value = s.values[i] ?? 0;
      if (value > 0) group.append(svg('rect', { class: s.className, x, width: Math.max(1, slot - 2), y: y(base + value), height: y(base) - y(base + value), rx: 1.5 }));
      base += value;
    }
    chart.append(group);
    const fromEnd = minutes.length - 1 - i;
    if (fromEnd % 15 === 0) {
      chart.append(svg('text', { class: 'chart-axis', x: x + slot / 2, y: HEIGHT - 8, 'text-anchor': fromEnd === 0 ? 'end' : 'middle' }, fromEnd === 0 ? 'now' : minuteLabel(minute)));
    }
  });
  return chart;
}
