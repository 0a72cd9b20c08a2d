import type { ExecutionProvider } from './execution-providers.ts';

/** One model run of this process, as its inference thread timed it. */
export interface InferenceRun {
  /** The model file's name without its folder and `.onnx` (e.g. "denoiser"). */
  model: string;
  provider: ExecutionProvider;
  /** onnxruntime's run alone, in seconds. */
  seconds: number;
}

export type InferenceListener = (run: InferenceRun) => void;

const listeners = new Set<InferenceListener>();

/**
 * Tells `listener` of every model run of every session this thread creates (the engine, the face and audio
 * front-ends), e.g. to count them in the process's metrics. Returns a function that stops it.
 */
export function observeInferences(listener: InferenceListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Called by each session when a run finished; a listener that throws is not the run's problem. */
export function reportInference(run: InferenceRun): void {
  for (const listener of listeners) {
    try {
      listener(run);
    } catch {
      // A metrics listener must never fail inference.
    }
  }
}
