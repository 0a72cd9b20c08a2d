import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeEngineTestPack } from '@portrait-farm/test-support/engine-test-pack';
import { createEngine } from './engine.ts';

const work = mkdtempSync(join(tmpdir(), 'engine-live-denoiser-'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the engine's model for sessions", () => {
  it('is opened on first use from the pack’s live_denoiser, once, and runs with the denoiser’s signature', async () => {
    const pack = join(work, 'with-live');
    writeEngineTestPack(pack, { liveDenoiser: {} });
    const engine = await createEngine({ pack, providers: ['cpu'] });
    try {
      const first = engine.liveDenoiser();
      const live = await first;
      expect(live).not.toBeNull();
      expect(engine.liveDenoiser()).toBe(first);
      expect(live!.path).toBe(join(pack, 'denoiser_live.onnx'));
      expect(live!.inputs.map((input) => input.name)).toEqual(engine.denoiser.inputs.map((input) => input.name));
      expect(live).not.toBe(engine.denoiser);
    } finally {
      await engine.close();
    }
  }, 60_000);

  it('refuses a live denoiser whose signature is not the denoiser\'s, naming the file', async () => {
    const pack = join(work, 'wrong-live');
    writeEngineTestPack(pack, { liveDenoiser: { denoiser: { featureDim: 128 } } });
    const engine = await createEngine({ pack, providers: ['cpu'] });
    try {
      await expect(engine.liveDenoiser()).rejects.toMatchObject({ code: 'PACK_SIGNATURE', message: expect.stringContaining('denoiser_live.onnx: input audio has shape [B,50,128]') });
    } finally {
      await engine.close();
    }
  }, 60_000);

  it('is null for a pack without one', async () => {
    const pack = join(work, 'without-live');
    writeEngineTestPack(pack);
    const engine = await createEngine({ pack, providers: ['cpu'] });
    try {
      expect(await engine.liveDenoiser()).toBeNull();
    } finally {
      await engine.close();
    }
  }, 60_000);
});
