import type { RenderClipOptions } from '@portrait-farm/engine';
import type { JobOptions } from '@portrait-farm/jobs';

/** Paths and process settings a worker adds to a job's API options. */
export interface JobRenderPaths {
  image: string;
  audio: string;
  out: string;
  pack: string;
  signal?: AbortSignal;
}

/**
 * The engine options of a job: the API options (already range-checked by the gateway) with this worker's paths.
 * Fields the client left out stay out, so the engine applies the same defaults as `portrait-farm render`.
 */
export function jobRenderOptions(options: JobOptions, paths: JobRenderPaths): RenderClipOptions {
  return {
    ...paths,
    fps: options.fps,
    mode: options.mode,
    seed: options.seed,
    ...(options.steps === undefined ? {} : { steps: options.steps }),
    ...(options.solver === undefined ? {} : { solver: options.solver }),
    ...(options.guidance === undefined ? {} : { guidance: options.guidance }),
    ...(options.controls === undefined ? {} : { controls: options.controls }),
    ...(options.faceIndex === undefined ? {} : { faceIndex: options.faceIndex }),
    ...(options.faceBox === undefined ? {} : { faceBox: options.faceBox }),
  };
}
