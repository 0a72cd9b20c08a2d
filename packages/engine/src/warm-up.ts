import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pcm16Wav } from '@portrait-farm/media';
import { syntheticPortrait } from '@portrait-farm/renderer';
import sharp from 'sharp';
import { prepareClipRenderer } from './clip-renderer.ts';
import type { Engine } from './engine.ts';
import { prepareClip, throwIfAborted } from './prepare-clip.ts';
import { ProgressReporter } from './progress.ts';
import type { RenderThreads } from './render-pool.ts';
import { resolveRenderOptions } from './render-options.ts';
import { renderSegmentChunk } from './render-segment.ts';
import { generateSegmentMotion, segmentFeatures, segmentOutputMotion } from './segment-motion.ts';
import type { SegmentRelay } from './prepared-clip.ts';

/** Options of {@link warmUpEngine}. */
export interface WarmUpOptions {
  /** The engine's model pack folder (render options name it). */
  pack: string;
  /** Where the warm-up's inputs, samples and chunks are written; all removed after. */
  scratchDir: string;
  /**
   * Stops the warm-up at its next stage or frame (it rejects: canceled, or its ffmpeg stopped): real work has come.
   * @defaultValue none
   */
  signal?: AbortSignal;
}

const SAMPLE_RATE = 16_000;
/** Long enough for two segments, so that a segment conditioned on the relay of the one before runs too. */
const CLIP_SECONDS = 3;

/** A voiced sound: a 140 Hz buzz with its harmonics, opening and closing four times a second, as 16-bit samples. */
function voicedSamples(seconds: number): Int16Array {
  const samples = new Int16Array(Math.round(seconds * SAMPLE_RATE));
  for (let i = 0; i < samples.length; i++) {
    const t = i / SAMPLE_RATE;
    let buzz = 0;
    for (let harmonic = 1; harmonic < 8; harmonic++) buzz += Math.sin(2 * Math.PI * 140 * harmonic * t) / harmonic;
    samples[i] = Math.round(buzz * 3000 * (1 + Math.sin(2 * Math.PI * 4 * t)));
  }
  return samples;
}

/**
 * Runs a short clip through every stage a farm job runs (decode, face, audio features, chained motion, render with
 * the watermark, encode), on a drawn portrait and a synthetic voice, with `threads`. A process that does this before
 * it takes work does not make its first job pay for the first runs: V8's first compiles of the engine and the
 * renderer, the render threads' warm-up poses, the models' first inferences (docs/performance.md, "Warm-up").
 * Returns the segments and frames it rendered.
 */
export async function warmUpEngine(engine: Engine, threads: RenderThreads, options: WarmUpOptions): Promise<{ segments: number; frames: number }> {
  const dir = await mkdtemp(join(options.scratchDir, 'warm-up-'));
  try {
    const portrait = syntheticPortrait();
    const image = join(dir, 'portrait.png');
    const audio = join(dir, 'voice.wav');
    await sharp(Buffer.from(portrait.data.buffer, portrait.data.byteOffset, portrait.data.byteLength), { raw: { width: portrait.width, height: portrait.height, channels: 3 } })
      .png()
      .toFile(image);
    await writeFile(audio, pcm16Wav(voicedSamples(CLIP_SECONDS), SAMPLE_RATE));
    const signal = options.signal ?? null;
    const resolved = resolveRenderOptions({ image, audio, out: join(dir, 'unused.mp4'), pack: options.pack, ...(options.signal === undefined ? {} : { signal: options.signal }) });
    const clip = await prepareClip(engine, resolved, new ProgressReporter(undefined), { scratchDir: dir });
    const pool = threads.portrait(prepareClipRenderer(clip));
    try {
      let relay: SegmentRelay | null = null;
      for (const segment of clip.segments) {
        throwIfAborted(signal);
        const generated = await generateSegmentMotion(engine, clip, segment, relay, await segmentFeatures(engine, clip, segment));
        const motion = segmentOutputMotion(engine, clip, segment, relay, generated.motion);
        relay = generated.relay;
        const out = join(dir, `${segment.index}.ts`);
        await renderSegmentChunk(pool, clip, segment, motion, { out, signal, live: true, watermark: { payload: new Uint8Array(8) } });
        throwIfAborted(signal);
      }
      return { segments: clip.segments.length, frames: clip.outputFrames };
    } finally {
      await pool.close();
      await clip.audio.release();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
