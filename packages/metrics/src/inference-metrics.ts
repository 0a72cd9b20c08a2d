import { Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import { nameLabel } from './label-values.ts';

/** One model run as onnxruntime timed it in its inference thread. */
export interface InferenceTiming {
  /** The model file's name without `.onnx` (one of the pack's and the front-ends' models). */
  model: string;
  /** The execution provider that ran it (cpu, cuda, webgpu, ...). */
  provider: string;
  seconds: number;
}

export type InferenceMetrics = Histogram<'model' | 'provider'>;

export function defineInferenceMetrics(registry: Registry): InferenceMetrics {
  return new Histogram({
    name: 'portrait_farm_inference_duration_seconds',
    help: 'Seconds of one model run in onnxruntime, by model and execution provider.',
    labelNames: ['model', 'provider'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
}

export function recordInference(metrics: InferenceMetrics, timing: InferenceTiming): void {
  metrics.observe({ model: nameLabel(timing.model), provider: nameLabel(timing.provider) }, timing.seconds);
}
