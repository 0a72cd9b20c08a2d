import { mkdtemp } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { frameCount } from '@portrait-farm/audio-features';
import { decodeAudioToFile, type DecodedAudioFile } from '@portrait-farm/media';
import { fileClipAudio, removeFolder } from './clip-audio.ts';
import type { Engine } from './engine.ts';
import { EngineError } from './errors.ts';
import { preparePortrait, type PreparedPortrait } from './prepare-portrait.ts';
import type { ProgressReporter } from './progress.ts';
import type { PreparedClip } from './prepared-clip.ts';
import type { ResolvedRenderOptions } from './render-options.ts';
import { DEFAULT_SEGMENT_WINDOWS, planSegments } from './segment-plan.ts';

/** Output frame count: the audio's duration at the output rate, rounded up, so the video never ends early. */
export function outputFrameCount(durationSeconds: number, fps: number): number {
  return Math.max(1, Math.ceil(durationSeconds * fps - 1e-6));
}

export function throwIfAborted(signal: AbortSignal | null): void {
  if (signal?.aborted) throw new EngineError('ENGINE_CANCELED', 'The render was canceled.');
}

/** Options of {@link prepareClip}. */
export interface PrepareClipOptions {
  /** Windows of the segments in turn, the last repeated. @defaultValue DEFAULT_SEGMENT_WINDOWS */
  segmentWindows?: readonly number[];
  /**
   * Folder for the clip's samples file (3.7 MiB per minute of audio), which lives until `clip.audio.release()`.
   * @defaultValue the output's folder
   */
  scratchDir?: string;
  /**
   * The portrait already prepared for the clip's mode (a prepared avatar: job-steps' avatarPortrait), called instead
   * of analysing the face of `image`; it must be what {@link preparePortrait} makes of the clip's image and options.
   * @defaultValue the face of the options' image, analysed with the engine's face analyzer
   */
  portrait?: () => Promise<PreparedPortrait>;
}

/**
 * The prepare stage: decode the audio into a scratch file and find its mel peak (the mel model runs on the audio
 * decoded so far while ffmpeg goes on) while the face is analysed (separate inference threads), then plan the
 * segments. Audio features are left to the segments (`generateSegmentMotion`), each reading its stretch of the
 * samples file, so the time to the first segment does not grow with the clip's length beyond decoding and the mel
 * peak, and the clip's audio is never held in memory. The caller releases `clip.audio` when done with the clip.
 * Stage timings count what the clip waited for: decode, audio (the rest of the mel peak), face (what was left of it).
 */
export async function prepareClip(engine: Engine, o: ResolvedRenderOptions, progress: ProgressReporter, options: PrepareClipOptions = {}): Promise<PreparedClip> {
  const segmentWindows = options.segmentWindows ?? DEFAULT_SEGMENT_WINDOWS;
  progress.start('decode');
  const face = options.portrait?.() ?? preparePortrait(engine, o.image, { faceIndex: o.faceIndex, faceBox: o.faceBox, mode: o.mode, log: o.log });
  face.catch(() => {}); // awaited below; until then a face error must not count as unhandled
  let audioDir: string | null = null;
  let audio: DecodedAudioFile;
  let melPeak: number;
  try {
    audioDir = await mkdtemp(join(options.scratchDir ?? dirname(o.out), '.portrait-farm-audio-'));
    const peak = engine.audio.melPeakStream();
    audio = await decodeAudioToFile(o.audio, join(audioDir, 'samples.f32'), { signal: o.signal, onSamples: (next) => peak.push(next) });
    throwIfAborted(o.signal);
    progress.start('audio');
    melPeak = await peak.finish();
    throwIfAborted(o.signal);
    progress.start('face');
    await face;
    throwIfAborted(o.signal);
  } catch (error) {
    await face.catch(() => {});
    if (audioDir !== null) await removeFolder(audioDir)();
    throw error;
  }
  const { source, neutral } = await face;

  const motionFrames = frameCount(audio.sampleCount);
  const pack = engine.pack;
  const outputFrames = outputFrameCount(audio.durationSeconds, o.fps);
  return {
    fps: o.fps,
    audioSeconds: audio.durationSeconds,
    motionFrames,
    outputFrames,
    audio: fileClipAudio(audio.path, audio.sampleCount, removeFolder(audioDir)),
    melPeak,
    source,
    neutral,
    motion: { seed: o.seed, steps: o.steps, solver: o.solver, guidance: o.guidance, controls: { ...o.controls, seed: o.seed } },
    segments: planSegments({
      motionFrames,
      outputFrames,
      packFps: pack.fps,
      fps: o.fps,
      window: pack.denoiser.window,
      context: pack.denoiser.context,
      segmentWindows,
    }),
  };
}
