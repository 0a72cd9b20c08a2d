import { decodeImage } from '@portrait-farm/face';
import { decodeAudio } from '@portrait-farm/media';
import { prepareMeshwarp } from '@portrait-farm/renderer';
import type { Engine } from './engine.ts';
import { EngineError } from './errors.ts';
import type { ProgressReporter } from './progress.ts';
import type { PreparedClip } from './prepared-clip.ts';
import type { ResolvedRenderOptions } from './render-options.ts';
import { planSegments } from './segment-plan.ts';
import { prepareSourceImage } from './source-image.ts';

/** Windows per segment: one window (2 s at 25 fps) keeps the time to the first chunk short. */
export const DEFAULT_WINDOWS_PER_SEGMENT = 1;

/** Output frame count: the audio's duration at the output rate, rounded up, so the video never ends early. */
export function outputFrameCount(durationSeconds: number, fps: number): number {
  return Math.max(1, Math.ceil(durationSeconds * fps - 1e-6));
}

export function throwIfAborted(signal: AbortSignal | null): void {
  if (signal?.aborted) throw new EngineError('ENGINE_CANCELED', 'The render was canceled.');
}

/** The prepare stage: decode the audio, analyse the face, compute audio features, plan the segments. */
export async function prepareClip(
  engine: Engine,
  o: ResolvedRenderOptions,
  progress: ProgressReporter,
  windowsPerSegment = DEFAULT_WINDOWS_PER_SEGMENT,
): Promise<PreparedClip> {
  progress.start('decode');
  const audio = await decodeAudio(o.audio, { signal: o.signal });
  throwIfAborted(o.signal);

  progress.start('face');
  const image = await decodeImage(o.image);
  const analysis = await engine.face.analyze(image, { faceIndex: o.faceIndex, ...(o.faceBox === null ? {} : { faceBox: o.faceBox }) });
  const source = await prepareSourceImage(image, analysis, o.mode);
  const { neutral } = prepareMeshwarp({ image: source.image, landmarks: source.landmarks });
  throwIfAborted(o.signal);

  progress.start('audio');
  const features = await engine.audio.features(audio.samples);
  throwIfAborted(o.signal);

  const pack = engine.pack;
  const outputFrames = outputFrameCount(audio.durationSeconds, o.fps);
  return {
    fps: o.fps,
    audioSeconds: audio.durationSeconds,
    motionFrames: features.frameCount,
    outputFrames,
    features,
    source,
    neutral,
    motion: { seed: o.seed, steps: o.steps, solver: o.solver, guidance: o.guidance, controls: { ...o.controls, seed: o.seed } },
    segments: planSegments({
      motionFrames: features.frameCount,
      outputFrames,
      packFps: pack.fps,
      fps: o.fps,
      window: pack.denoiser.window,
      context: pack.denoiser.context,
      windowsPerSegment,
    }),
  };
}
