import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeEngineTestPack } from '@portrait-farm/test-support/engine-test-pack';
import { prepareClipRenderer } from './clip-renderer.ts';
import { createEngine, type Engine } from './engine.ts';
import { prepareClip } from './prepare-clip.ts';
import { ProgressReporter } from './progress.ts';
import { startRenderThreads, type RenderThreads } from './render-pool.ts';
import { resolveRenderOptions } from './render-options.ts';
import { renderSegmentChunk } from './render-segment.ts';
import { generateSegmentMotion, segmentFeatures, segmentOutputMotion } from './segment-motion.ts';
import { warmUpEngine } from './warm-up.ts';

const fixtures = new URL('../../../test/fixtures/', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'engine-warm-up-'));
const pack = join(work, 'pack');
let engine: Engine;

beforeAll(async () => {
  writeEngineTestPack(pack, { defaultSteps: 4 });
  engine = await createEngine({ pack, providers: ['cpu'] });
}, 60_000);

afterAll(async () => {
  await engine?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Segment 0 of the demo portrait and speech, rendered with `threads` to `out`; the chunk's bytes. */
async function renderFirstSegment(threads: RenderThreads, out: string): Promise<Buffer> {
  const options = resolveRenderOptions({ image: join(fixtures, 'astronaut.png'), audio: join(fixtures, 'speech-3s.wav'), out: join(work, 'unused.mp4'), pack, seed: 5 });
  const clip = await prepareClip(engine, options, new ProgressReporter(undefined), { scratchDir: work });
  const segment = clip.segments[0]!;
  const generated = await generateSegmentMotion(engine, clip, segment, null, await segmentFeatures(engine, clip, segment));
  const pool = threads.portrait(prepareClipRenderer(clip));
  try {
    await renderSegmentChunk(pool, clip, segment, segmentOutputMotion(engine, clip, segment, null, generated.motion), { out, live: true });
  } finally {
    await pool.close();
    await clip.audio.release();
  }
  return readFileSync(out);
}

describe('warmUpEngine', () => {
  it('runs a drawn clip through every stage, leaves nothing in its scratch folder, and changes no later frame', async () => {
    const scratchDir = join(work, 'scratch');
    mkdirSync(scratchDir);
    const warmed = startRenderThreads(1, { warmUp: true });
    const cold = startRenderThreads(1, { warmUp: true });
    try {
      // Two segments at least: the second is conditioned on the first's relay, as most of a job's are.
      expect(await warmUpEngine(engine, warmed, { pack, scratchDir })).toEqual({ segments: 2, frames: 75 });
      expect(readdirSync(scratchDir)).toEqual([]);
      const afterWarmUp = await renderFirstSegment(warmed, join(work, 'warmed.ts'));
      const withoutWarmUp = await renderFirstSegment(cold, join(work, 'cold.ts'));
      expect(afterWarmUp.length).toBeGreaterThan(1000);
      expect(afterWarmUp.equals(withoutWarmUp)).toBe(true);
    } finally {
      await Promise.all([warmed.close(), cold.close()]);
    }
  }, 60_000);

  it('fails naming the pack when the pack folder is wrong, and still removes its scratch folder', async () => {
    const scratchDir = join(work, 'scratch-bad');
    mkdirSync(scratchDir);
    const threads = startRenderThreads(1);
    try {
      await expect(warmUpEngine(engine, threads, { pack: join(work, 'no-pack'), scratchDir })).rejects.toThrow(/no-pack/);
      expect(readdirSync(scratchDir)).toEqual([]);
    } finally {
      await threads.close();
    }
  }, 30_000);

  it('stops when its signal aborts (real work has come), and still removes its scratch folder', async () => {
    const scratchDir = join(work, 'scratch-stopped');
    mkdirSync(scratchDir);
    const threads = startRenderThreads(1);
    const stop = new AbortController();
    try {
      const warming = warmUpEngine(engine, threads, { pack, scratchDir, signal: stop.signal });
      setTimeout(() => stop.abort(), 50);
      await expect(warming).rejects.toThrow(/stopped|canceled/);
      expect(readdirSync(scratchDir)).toEqual([]);
    } finally {
      await threads.close();
    }
  }, 30_000);
});
