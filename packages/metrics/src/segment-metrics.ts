import { Counter, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

/** Segments a worker rendered: the render-and-encode time of each chunk and its frames per second. */
export interface SegmentMetrics {
  readonly renderDuration: Histogram;
  readonly framesPerSecond: Histogram;
  readonly frames: Counter;
}

export function defineSegmentMetrics(registry: Registry): SegmentMetrics {
  return {
    renderDuration: new Histogram({
      name: 'portrait_farm_segment_render_duration_seconds',
      help: "Seconds to render and encode one segment's frames into its chunk (features and motion not included).",
      buckets: [0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300],
      registers: [registry],
    }),
    framesPerSecond: new Histogram({
      name: 'portrait_farm_segment_frames_per_second',
      help: "Frames per second of one segment's render and encode.",
      buckets: [1, 2, 5, 10, 15, 20, 25, 30, 50, 75, 100, 150, 250],
      registers: [registry],
    }),
    frames: new Counter({
      name: 'portrait_farm_segment_frames_total',
      help: 'Frames rendered into chunks.',
      registers: [registry],
    }),
  };
}

/** One segment rendered: `frames` frames in `seconds`. */
export function recordSegmentRender(metrics: SegmentMetrics, frames: number, seconds: number): void {
  metrics.renderDuration.observe(seconds);
  metrics.frames.inc(frames);
  if (seconds > 0) metrics.framesPerSecond.observe(frames / seconds);
}
