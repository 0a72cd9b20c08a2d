// Clean (never watermarked, unlabelled) frames of a talking render, as the engine renders them for the farm: the
// same segments, motion and renderer as renderClipWith, but the RGB frames are written to a raw file instead of the
// chunk encoder, so the watermark bench can embed its own payloads in them and measure PSNR-Y against them.
import { execFileSync } from 'node:child_process';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { MOTION_CHANNEL_COUNT as C } from '@portrait-farm/contracts';
import {
  createRenderPool, generateSegmentMotion, prepareClip, prepareClipRenderer, ProgressReporter, resolveRenderOptions,
  segmentFeatures, segmentOutputMotion, type Engine, type OutputMode, type SegmentRelay,
} from '@portrait-farm/engine';

/** A rendered clip's frames in a raw RGB24 file, frame after frame. */
export interface RawClip {
  path: string;
  width: number;
  height: number;
  frames: number;
}

export interface TalkingClipRequest {
  image: string;
  mode: OutputMode;
  /** Speech the clip is cut from (at `offsetSeconds`, `seconds` long). */
  speech: string;
  offsetSeconds: number;
  seconds: number;
  seed: number;
  fps: number;
  workDir: string;
  name: string;
  packDir: string;
}

/** Renders the clip and writes its frames to `workDir/name.rgb`. */
export async function renderTalkingFrames(engine: Engine, request: TalkingClipRequest): Promise<RawClip> {
  const audio = join(request.workDir, `${request.name}.wav`);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-ss', String(request.offsetSeconds), '-i', request.speech, '-t', String(request.seconds), '-ac', '1', '-ar', '44100', audio]);
  const options = resolveRenderOptions({
    image: request.image, audio, out: join(request.workDir, `${request.name}.mp4`), pack: request.packDir,
    mode: request.mode, seed: request.seed, fps: request.fps, renderThreads: 2, providers: ['cpu'],
  });
  const clip = await prepareClip(engine, options, new ProgressReporter(undefined));
  const { width, height } = clip.source.image;
  const path = join(request.workDir, `${request.name}.rgb`);
  const file = await open(path, 'w');
  const pool = await createRenderPool(prepareClipRenderer(clip), options.renderThreads);
  try {
    let relay: SegmentRelay | null = null;
    for (const segment of clip.segments) {
      const features = await segmentFeatures(engine, clip, segment);
      const generated = await generateSegmentMotion(engine, clip, segment, relay, features);
      const motion = segmentOutputMotion(engine, clip, segment, relay, generated.motion);
      relay = generated.relay;
      await pool.renderFrames(
        segment.frameEnd - segment.frameStart,
        (index) => motion.slice(index * C, (index + 1) * C),
        async (frame) => { await file.write(frame); },
      );
    }
  } finally {
    await pool.close();
    await file.close();
    await clip.audio.release();
  }
  return { path, width, height, frames: clip.outputFrames };
}

/** Reads frame after frame of a raw clip. */
export async function* rawFrames(clip: RawClip): AsyncGenerator<Uint8Array> {
  const file = await open(clip.path, 'r');
  const size = clip.width * clip.height * 3;
  try {
    for (let i = 0; i < clip.frames; i += 1) {
      const frame = new Uint8Array(size);
      const { bytesRead } = await file.read(frame, 0, size, i * size);
      if (bytesRead !== size) throw new Error(`${clip.path}: frame ${i} is short (${bytesRead} of ${size} bytes)`);
      yield frame;
    }
  } finally {
    await file.close();
  }
}
