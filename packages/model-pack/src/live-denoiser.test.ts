import { copyFileSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STARTER_PACK } from '@portrait-farm/test-support/repo-models';
import type { TestPackOptions } from '@portrait-farm/test-support/test-pack';
import { describe, expect, it } from 'vitest';
import { loadFailure, tempPacks } from './testing/temp-packs.ts';
import { displayPath } from './display-path.ts';
import { PackError } from './errors.ts';
import { loadModelPack } from './load-model-pack.ts';
import { openDenoiser } from './open-denoiser.ts';

const pack = tempPacks('pf-live-pack-');
const failure = loadFailure;

/** Loads the pack and opens its live denoiser as the engine does; the PackError it fails with. */
async function openFailure(path: string, options = {}): Promise<PackError> {
  const loaded = await loadModelPack(path, options);
  const error = await openDenoiser(loaded.liveDenoiser!.file, 'live denoiser', loaded, { providers: ['cpu'] }).then(
    async (session) => {
      await session.close();
      return null;
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PackError);
  return error as PackError;
}

/** A pack with a live denoiser whose manifest block `edit` then changes. */
function editLive(edit: (live: Record<string, unknown>, files: Record<string, unknown>) => void): TestPackOptions {
  return {
    liveDenoiser: {},
    editManifest: (m) => edit(m['live_denoiser'] as Record<string, unknown>, m['files'] as Record<string, unknown>),
  };
}

function rewriteManifest(manifestPath: string, edit: (manifest: { files: Record<string, { sha256: string; bytes: number }> }) => void): void {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: Record<string, { sha256: string; bytes: number }> };
  edit(manifest);
  writeFileSync(manifestPath, JSON.stringify(manifest));
}

describe('loadModelPack: live_denoiser', () => {
  it('reads the live denoiser into a frozen block with an absolute path', async () => {
    const { dir } = pack({ liveDenoiser: { hopFrames: 3, lookaheadFrames: 1, featureLookaheadMs: 80, defaultSteps: 4 } });
    const loaded = await loadModelPack(dir);
    expect(loaded.liveDenoiser).toEqual({ file: join(dir, 'denoiser_live.onnx'), hopFrames: 3, lookaheadFrames: 1, featureLookaheadMs: 80, defaultSteps: 4 });
    expect(Object.isFrozen(loaded.liveDenoiser)).toBe(true);
    expect(loaded.files['denoiser_live.onnx']?.path).toBe(join(dir, 'denoiser_live.onnx'));
  });

  it('reads a pack without the block as having no live denoiser', async () => {
    expect((await loadModelPack(pack().dir)).liveDenoiser).toBeNull();
  });

  it('accepts the bounds of every range', async () => {
    const { dir } = pack({ liveDenoiser: { hopFrames: 1, lookaheadFrames: 49, featureLookaheadMs: 1000, defaultSteps: 1000 } });
    expect((await loadModelPack(dir, { verifySignature: false })).liveDenoiser).toMatchObject({ hopFrames: 1, lookaheadFrames: 49, featureLookaheadMs: 1000, defaultSteps: 1000 });
    const widest = pack({ liveDenoiser: { hopFrames: 50, lookaheadFrames: 0, featureLookaheadMs: 0, defaultSteps: 1 } });
    expect((await loadModelPack(widest.dir, { verifySignature: false })).liveDenoiser).toMatchObject({ hopFrames: 50, featureLookaheadMs: 0 });
  });

  it('names the live_denoiser field that is wrong, what it expects and what it found', async () => {
    const cases: Array<[TestPackOptions, string, string]> = [
      [{ editManifest: (m) => (m['live_denoiser'] = 'denoiser_live.onnx') }, 'PACK_FIELD', 'field "live_denoiser" must be an object. Found: "denoiser_live.onnx"'],
      [editLive((live) => delete live['file']), 'PACK_FIELD', 'field "live_denoiser.file" must be a non-empty string. Found: nothing'],
      [editLive((live) => (live['lookahead_frames'] = 50)), 'PACK_FIELD', 'field "live_denoiser.lookahead_frames" must be an integer between 0 and 49. Found: 50'],
      [editLive((live) => (live['lookahead_frames'] = -1)), 'PACK_FIELD', 'field "live_denoiser.lookahead_frames" must be an integer between 0 and 49. Found: -1'],
      [editLive((live) => (live['hop_frames'] = 0)), 'PACK_FIELD', 'field "live_denoiser.hop_frames" must be an integer between 1 and 50. Found: 0'],
      [editLive((live) => Object.assign(live, { hop_frames: 49, lookahead_frames: 2 })), 'PACK_FIELD', 'field "live_denoiser.hop_frames" must be an integer between 1 and 48. Found: 49'],
      [editLive((live) => (live['hop_frames'] = 2.5)), 'PACK_FIELD', 'field "live_denoiser.hop_frames" must be an integer between 1 and 50. Found: 2.5'],
      [editLive((live) => delete live['hop_frames']), 'PACK_FIELD', 'field "live_denoiser.hop_frames" must be an integer between 1 and 50. Found: nothing'],
      [editLive((live) => (live['feature_lookahead_ms'] = 1001)), 'PACK_FIELD', 'field "live_denoiser.feature_lookahead_ms" must be an integer between 0 and 1000. Found: 1001'],
      [editLive((live) => (live['feature_lookahead_ms'] = '40')), 'PACK_FIELD', 'field "live_denoiser.feature_lookahead_ms" must be an integer between 0 and 1000. Found: "40"'],
      [editLive((live) => (live['default_steps'] = 0)), 'PACK_FIELD', 'field "live_denoiser.default_steps" must be an integer between 1 and 1000. Found: 0'],
      [
        { liveDenoiser: {}, schedule: { type: 'cosine', timesteps: 100, s: 0.008 }, editManifest: (m) => ((m['live_denoiser'] as Record<string, unknown>)['default_steps'] = 101) },
        'PACK_FIELD',
        'field "live_denoiser.default_steps" must be an integer between 1 and 100. Found: 101',
      ],
      [
        editLive((_, files) => delete files['denoiser_live.onnx']),
        'PACK_FILE_UNLISTED',
        'field "live_denoiser.file" names "denoiser_live.onnx", which must be listed in "files" with its sha256, bytes, license and source',
      ],
    ];
    for (const [options, code, message] of cases) {
      const { manifestPath } = pack(options);
      const error = await failure(manifestPath, { verifySignature: false });
      expect(error.code, message).toBe(code);
      expect(error.message).toContain(`${displayPath(manifestPath)}: ${message}`);
    }
  });

  it('checks that the live denoiser file exists with its size and sha256', async () => {
    const missing = pack({ liveDenoiser: {} });
    unlinkSync(join(missing.dir, 'denoiser_live.onnx'));
    const missingError = await failure(missing.dir);
    expect(missingError.code).toBe('PACK_FILE_MISSING');
    expect(missingError.message).toBe(`${displayPath(join(missing.dir, 'denoiser_live.onnx'))}: file listed in ${displayPath(missing.manifestPath)} as "denoiser_live.onnx" does not exist`);

    const corrupted = pack({ liveDenoiser: {} });
    const file = join(corrupted.dir, 'denoiser_live.onnx');
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    writeFileSync(file, bytes);
    const hashError = await failure(corrupted.dir);
    expect(hashError.code).toBe('PACK_FILE_HASH');
    expect(hashError.message).toContain('denoiser_live.onnx: sha256 is ');
  });

  it('checks the live denoiser ONNX against the signature of the pack\'s denoiser when it is opened, not at load', async () => {
    const cases: Array<[TestPackOptions, string]> = [
      [{ liveDenoiser: { denoiser: { featureDim: 128 } } }, 'denoiser_live.onnx: input audio has shape [B,50,128], expected [B,50,224] (manifest audio.feature_dim 224, denoiser.window 50)'],
      [{ liveDenoiser: { denoiser: { window: 25 } } }, 'denoiser_live.onnx: input x_t has shape [B,25,20], expected [B,50,20] (manifest denoiser.window 50, 20 channels)'],
      [{ liveDenoiser: { denoiser: { context: 4 } } }, 'denoiser_live.onnx: input prev_motion has shape [B,4,20], expected [B,10,20] (manifest denoiser.context 10, 20 channels)'],
      [{ liveDenoiser: { denoiser: { batch: 1 } } }, 'denoiser_live.onnx: input x_t has shape [1,50,20], expected [B,50,20]; the batch dimension must be dynamic, found 1'],
    ];
    for (const [options, message] of cases) {
      const { dir } = pack(options);
      const error = await openFailure(dir);
      expect(error.code, message).toBe('PACK_SIGNATURE');
      expect(error.message).toBe(`${displayPath(join(dir, 'denoiser_live.onnx'))}:${message.slice('denoiser_live.onnx:'.length)}`);
    }
  });

  it('names a live denoiser onnxruntime cannot load', async () => {
    const { dir, manifestPath } = pack({ liveDenoiser: {} });
    writeFileSync(join(dir, 'denoiser_live.onnx'), 'not an onnx model');
    rewriteManifest(manifestPath, (m) => (m.files['denoiser_live.onnx']!.bytes = 17));
    const error = await openFailure(dir, { verifyHashes: false });
    expect(error.code).toBe('PACK_DENOISER_LOAD');
    expect(error.message).toContain(`${displayPath(join(dir, 'denoiser_live.onnx'))}: onnxruntime cannot load the live denoiser (`);
  });

  it('accepts the starter pack\'s trained denoiser as a live denoiser (the same signature)', async () => {
    const { dir, manifestPath } = pack({ liveDenoiser: {} });
    copyFileSync(join(STARTER_PACK, 'denoiser.onnx'), join(dir, 'denoiser_live.onnx'));
    const starterEntry = (JSON.parse(readFileSync(join(STARTER_PACK, 'manifest.json'), 'utf8')) as { files: Record<string, { sha256: string; bytes: number }> }).files['denoiser.onnx']!;
    rewriteManifest(manifestPath, (m) => Object.assign(m.files['denoiser_live.onnx']!, { sha256: starterEntry.sha256, bytes: starterEntry.bytes }));
    const loaded = await loadModelPack(dir);
    expect(loaded.liveDenoiser?.file).toBe(join(dir, 'denoiser_live.onnx'));
    await (await openDenoiser(loaded.liveDenoiser!.file, 'live denoiser', loaded, { providers: ['cpu'] })).close();
  });
});
