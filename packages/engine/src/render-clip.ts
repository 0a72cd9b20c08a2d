import { rm } from 'node:fs/promises';
import { MOTION_CHANNEL_COUNT as C, type MotionTrack } from '@portrait-farm/contracts';
import { decodeImage } from '@portrait-farm/face';
import { createVideoEncoder, decodeAudio } from '@portrait-farm/media';
import { applyControls, createMotionGenerator, resample } from '@portrait-farm/motion';
import { prepareMeshwarp } from '@portrait-farm/renderer';
import { createEngine, type Engine } from './engine.ts';
import { EngineError } from './errors.ts';
import { ProgressReporter, type ProgressListener } from './progress.ts';
import { createRenderPool } from './render-pool.ts';
import { resolveRenderOptions, type RenderClipOptions, type ResolvedRenderOptions } from './render-options.ts';
import { prepareSourceImage } from './source-image.ts';

/** What {@link renderClip} made. */
export interface RenderResult {
  out: string;
  frames: number;
  fps: number;
  width: number;
  height: number;
  durationSeconds: number;
  /** Execution provider of the denoiser. */
  provider: string;
  /** Seconds per stage: decode, face, audio, motion, render (rendering and encoding overlap; encode is the tail). */
  timings: Record<string, number>;
}

/** Portrait + audio -> talking MP4 on this machine, loading the pack's models for this one clip. */
export async function renderClip(options: RenderClipOptions, onProgress?: ProgressListener): Promise<RenderResult> {
  const resolved = resolveRenderOptions(options);
  const engine = await createEngine({ pack: resolved.pack, providers: resolved.providers, log: resolved.log });
  try {
    return await renderClipWith(engine, resolved, onProgress);
  } finally {
    await engine.close();
  }
}

/** Output frame count: the audio's duration at the output rate, rounded up, so the video never ends early. */
export function outputFrameCount(durationSeconds: number, fps: number): number {
  return Math.max(1, Math.ceil(durationSeconds * fps - 1e-6));
}

/** `track` stretched or cut to exactly `frames` frames (the last frame held). */
function fitTrack(track: MotionTrack, frames: number): MotionTrack {
  const data = new Float32Array(frames * C);
  const available = Math.min(frames, track.frameCount);
  data.set(track.data.subarray(0, available * C));
  for (let f = available; f < frames; f++) data.copyWithin(f * C, (available - 1) * C, available * C);
  return { fps: track.fps, frameCount: frames, data };
}

function throwIfAborted(signal: AbortSignal | null): void {
  if (signal?.aborted) throw new EngineError('ENGINE_CANCELED', 'The render was canceled.');
}

/** {@link renderClip} with an engine whose models are already loaded. */
export async function renderClipWith(engine: Engine, o: ResolvedRenderOptions, onProgress?: ProgressListener): Promise<RenderResult> {
  const progress = new ProgressReporter(onProgress);

  progress.start('decode');
  const audio = await decodeAudio(o.audio, { signal: o.signal });
  throwIfAborted(o.signal);

  progress.start('face');
  const image = await decodeImage(o.image);
  const analysis = await engine.face.analyze(image, {
    faceIndex: o.faceIndex,
    ...(o.faceBox === null ? {} : { faceBox: o.faceBox }),
  });
  throwIfAborted(o.signal);

  progress.start('audio');
  const features = await engine.audio.features(audio.samples);
  throwIfAborted(o.signal);

  const pack = engine.pack;
  const windows = Math.ceil(features.frameCount / pack.denoiser.window);
  progress.start('motion', windows * pack.denoiser.window);
  const generator = await createMotionGenerator(pack, engine.denoiser, {
    silenceFeature: engine.silenceFeature,
    seed: o.seed,
    ...(o.steps === null ? {} : { steps: o.steps }),
    ...(o.solver === null ? {} : { solver: o.solver }),
    ...(o.guidance === null ? {} : { guidance: o.guidance }),
  });
  const generated = await generator.generateAll(features);
  progress.advance(windows * pack.denoiser.window);
  throwIfAborted(o.signal);

  const controlled = applyControls(generated, { ...o.controls, seed: o.seed }, { channelMean: pack.channelMean });
  const frames = outputFrameCount(audio.durationSeconds, o.fps);
  const track = fitTrack(resample(controlled, o.fps), frames);

  const source = await prepareSourceImage(image, analysis, o.mode);
  const prepared = prepareMeshwarp({ image: source.image, landmarks: source.landmarks });
  const { width, height } = source.image;
  progress.start('render', frames);
  const pool = await createRenderPool(prepared, o.renderThreads);
  const encoder = createVideoEncoder({ out: o.out, width, height, fps: o.fps, audio: { path: o.audio }, signal: o.signal });
  try {
    await pool.renderFrames(
      frames,
      (index) => track.data.slice(index * C, (index + 1) * C),
      async (frame, index) => {
        await encoder.write(frame);
        progress.advance(index + 1);
      },
      o.signal,
    );
    progress.start('encode');
    await encoder.finish();
  } catch (error) {
    await encoder.abort();
    await rm(o.out, { force: true });
    throw error;
  } finally {
    await pool.close();
  }
  const timings = progress.finish();
  return { out: o.out, frames, fps: o.fps, width, height, durationSeconds: audio.durationSeconds, provider: engine.provider, timings };
}
