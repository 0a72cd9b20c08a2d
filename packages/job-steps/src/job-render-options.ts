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
 * The engine options of a job: the API options (checked by the gateway against the same option model the engine
 * checks) with this worker's paths. Fields the client left out stay out, so the engine applies the same defaults as
 * `portrait-farm render`.
 */
export function jobRenderOptions(options: JobOptions, paths: JobRenderPaths): RenderClipOptions {
  return { ...options, ...paths };
}
