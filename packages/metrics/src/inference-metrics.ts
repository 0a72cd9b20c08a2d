import { Gauge, Histogram } from 'prom-client';
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

/** `portrait_farm_execution_provider_info{provider} 1`: the provider a worker's engine runs its main model on. */
export type ExecutionProviderInfo = Gauge<'provider'>;

export function defineExecutionProviderInfo(registry: Registry): ExecutionProviderInfo {
  return new Gauge({
    name: 'portrait_farm_execution_provider_info',
    help: "1 for the execution provider this worker's engine runs its denoiser on (cpu, cuda, webgpu, ...).",
    labelNames: ['provider'] as const,
    registers: [registry],
  });
}

/** Names the provider the process runs on (one series: any other it named before is removed). */
export function recordExecutionProvider(info: ExecutionProviderInfo, provider: string): void {
  info.reset();
  info.set({ provider: nameLabel(provider) }, 1);
}

export function recordInference(metrics: InferenceMetrics, timing: InferenceTiming): void {
  metrics.observe({ model: nameLabel(timing.model), provider: nameLabel(timing.provider) }, timing.seconds);
}
