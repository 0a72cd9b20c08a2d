import { writeFileSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { MOTION_CHANNELS } from '@portrait-farm/contracts';
import { STARTER_PACK } from '@portrait-farm/test-support/repo-models';
import type { TestPackOptions } from '@portrait-farm/test-support/test-pack';
import { describe, expect, it } from 'vitest';
import { loadFailure, tempPacks } from './testing/temp-packs.ts';
import { PACK_ERRORS } from './errors.ts';
import { loadModelPack } from './load-model-pack.ts';
import { displayPath } from './display-path.ts';

const pack = tempPacks('pf-pack-');
const failure = loadFailure;

/** The test manifest's shape, loose enough to break it. */
interface EditableManifest {
  [field: string]: unknown;
  channels: string[];
  channel_mean: number[];
  channel_std: number[];
  audio: Record<string, unknown>;
  denoiser: Record<string, unknown>;
  files: Record<string, { sha256: string; bytes: number; license?: string }>;
}

function edit(fn: (m: EditableManifest) => void): TestPackOptions {
  return { editManifest: (m) => fn(m as EditableManifest) };
}

describe('loadModelPack', () => {
  it('loads a valid pack into a frozen object with absolute paths, parsed schedule and Float32Array stats', async () => {
    const { dir, manifestPath } = pack({ prediction: 'v', schedule: { type: 'linear', timesteps: 500, beta_start: 1e-4, beta_end: 0.02 } });
    const loaded = await loadModelPack(dir);
    expect(loaded.manifestPath).toBe(manifestPath);
    expect(loaded.channels).toEqual([...MOTION_CHANNELS]);
    expect(loaded.denoiser).toMatchObject({ file: join(dir, 'denoiser.onnx'), window: 50, context: 10, prediction: 'v', defaultSteps: 6, defaultSolver: 'dpmpp-2m', defaultGuidance: 2, continuityFrames: 3 });
    expect(loaded.denoiser.schedule).toEqual({ type: 'linear', timesteps: 500, betaStart: 1e-4, betaEnd: 0.02 });
    expect(loaded.audio.mel).toBe(join(dir, 'audio', 'melspectrogram.onnx'));
    expect(loaded.audio.embeddingSequence).toBeNull();
    expect(loaded.channelStd).toBeInstanceOf(Float32Array);
    expect(loaded.channelStd.length).toBe(20);
    loaded.channelStd[0] = -1;
    expect(loaded.channelStd[0]).toBeGreaterThan(0);
    expect(Object.isFrozen(loaded)).toBe(true);
    expect(Object.isFrozen(loaded.denoiser)).toBe(true);
    expect(() => {
      (loaded as { name: string }).name = 'x';
    }).toThrow();
    expect(loaded.files['denoiser.onnx']?.license).toBe('Apache-2.0');
  });

  it('reads the starter pack\'s embedding sequence model', async () => {
    const starter = await loadModelPack(STARTER_PACK);
    expect(starter.audio.embeddingSequence).toBe(join(STARTER_PACK, '..', 'audio', 'embedding_sequence.onnx'));
  });

  it('reads a pack without continuity_frames as seam continuity off', async () => {
    const { dir } = pack({ editManifest: (m) => delete (m['denoiser'] as Record<string, unknown>)['continuity_frames'] });
    expect((await loadModelPack(dir)).denoiser.continuityFrames).toBe(0);
  });

  it('names a missing or unreadable manifest', async () => {
    expect((await failure('/nonexistent/pack')).code).toBe('PACK_MANIFEST_MISSING');
    const { manifestPath } = pack();
    writeFileSync(manifestPath, '{"format": ');
    expect((await failure(manifestPath)).code).toBe('PACK_MANIFEST_JSON');
  });

  it('names the manifest field that is wrong, what it expects and what it found', async () => {
    const cases: Array<[TestPackOptions, string, string]> = [
      [edit((m) => (m['format'] = 'pack/2')), 'PACK_FORMAT', 'field "format" must be "portrait-farm-pack/1" (the only pack format this loader reads). Found: "pack/2"'],
      [edit((m) => (m['fps'] = 30)), 'PACK_FIELD', 'field "fps" must be 25 (the frame rate of audio front-end oww-mel-emb-v1). Found: 30'],
      [edit((m) => ([m.channels[0], m.channels[1]] = [m.channels[1]!, m.channels[0]!])), 'PACK_CHANNELS', 'Found: channel 0 is "lips_part" where SPEC has "jaw_open"'],
      [edit((m) => m.channel_mean.pop()), 'PACK_STATS', 'field "channel_mean" must be an array of 20 finite numbers (one per motion channel). Found: an array of 19 values'],
      [edit((m) => (m.channel_std[12] = 0)), 'PACK_STATS', 'field "channel_std[12]" (head_yaw) must be greater than 0. Found: 0'],
      [edit((m) => (m.audio['feature_dim'] = 128)), 'PACK_AUDIO', 'field "audio.feature_dim" must be 224 (the feature size of oww-mel-emb-v1). Found: 128'],
      [edit((m) => (m.audio['frontend'] = 'whisper')), 'PACK_AUDIO', 'field "audio.frontend" must be "oww-mel-emb-v1"'],
      [edit((m) => (m.denoiser['prediction'] = 'score')), 'PACK_FIELD', 'field "denoiser.prediction" must be one of x0, eps, v. Found: "score"'],
      [edit((m) => (m.denoiser['context'] = 60)), 'PACK_FIELD', 'field "denoiser.context" must be an integer between 1 and 50. Found: 60'],
      [edit((m) => (m.denoiser['continuity_frames'] = -1)), 'PACK_FIELD', 'field "denoiser.continuity_frames" must be an integer between 0 and 40. Found: -1'],
      [edit((m) => (m.denoiser['schedule'] = { type: 'sigmoid', timesteps: 1000 })), 'PACK_SCHEDULE', 'field "denoiser.schedule.type" must be one of cosine, linear. Found: "sigmoid"'],
      [edit((m) => (m.denoiser['default_solver'] = 'euler')), 'PACK_FIELD', 'field "denoiser.default_solver" must be one of ddim, dpmpp-2m. Found: "euler"'],
      [edit((m) => (m.denoiser['default_steps'] = 0)), 'PACK_FIELD', 'field "denoiser.default_steps" must be an integer between 1 and 1000. Found: 0'],
      [edit((m) => delete m['renderer']), 'PACK_FIELD', 'field "renderer" must be an object. Found: nothing'],
      [edit((m) => delete m.files['denoiser.onnx']), 'PACK_FILE_UNLISTED', 'field "denoiser.file" names "denoiser.onnx", which must be listed in "files"'],
      [edit((m) => (m['face'] = { detector: '../face/detector.onnx' })), 'PACK_FILE_UNLISTED', 'field "face.detector" names "../face/detector.onnx"'],
      [edit((m) => (m.audio['embedding_sequence'] = 'audio/embedding_sequence.onnx')), 'PACK_FILE_UNLISTED', 'field "audio.embedding_sequence" names "audio/embedding_sequence.onnx"'],
      [edit((m) => (m.files['denoiser.onnx']!.sha256 = 'abc')), 'PACK_FIELD', 'field "files.denoiser.onnx.sha256" must be 64 lowercase hex digits. Found: "abc"'],
      [edit((m) => delete m.files['denoiser.onnx']!.license), 'PACK_FIELD', 'field "files.denoiser.onnx.license" must be a non-empty string. Found: nothing'],
    ];
    for (const [options, code, message] of cases) {
      const { manifestPath } = pack(options);
      const error = await failure(manifestPath, { verifySignature: false });
      expect(error.code, message).toBe(code);
      expect(error.message).toContain(`${displayPath(manifestPath)}: `);
      expect(error.message).toContain(message);
    }
  });

  it('checks that every listed file exists with its size and sha256', async () => {
    const missing = pack();
    unlinkSync(join(missing.dir, 'audio', 'embedding_model.onnx'));
    expect((await failure(missing.dir)).message).toBe(
      `${displayPath(join(missing.dir, 'audio', 'embedding_model.onnx'))}: file listed in ${displayPath(missing.manifestPath)} as "audio/embedding_model.onnx" does not exist`,
    );

    const resized = pack(edit((m) => (m.files['denoiser.onnx']!.bytes += 1)));
    const sizeError = await failure(resized.dir);
    expect(sizeError.code).toBe('PACK_FILE_SIZE');
    expect(sizeError.message).toMatch(/denoiser\.onnx: size is (\d+) bytes, expected \d+ \(.*files\."denoiser\.onnx"\.bytes\)/);

    const corrupted = pack();
    const file = join(corrupted.dir, 'audio', 'melspectrogram.onnx');
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    writeFileSync(file, bytes);
    const hashError = await failure(corrupted.dir);
    expect(hashError.code).toBe('PACK_FILE_HASH');
    expect(hashError.message).toContain('melspectrogram.onnx: sha256 is ');
    expect(hashError.message).toContain(', expected ba2b0e0f8b7b875369a2c89cb13360ff53bac436f2895cced9f479fa65eb176f');
    await expect(loadModelPack(corrupted.dir, { verifyHashes: false, verifySignature: false })).resolves.toBeDefined();
  });

  it('checks the denoiser ONNX signature against SPEC and the manifest sizes', async () => {
    const cases: Array<[TestPackOptions, string]> = [
      [{ denoiser: { featureDim: 128 } }, 'denoiser.onnx: input audio has shape [B,50,128], expected [B,50,224] (manifest audio.feature_dim 224, denoiser.window 50)'],
      [{ denoiser: { window: 40 } , editManifest: (m) => ((m['denoiser'] as Record<string, unknown>)['window'] = 50) }, 'denoiser.onnx: input x_t has shape [B,40,20], expected [B,50,20] (manifest denoiser.window 50, 20 channels)'],
      [{ denoiser: { context: 8 } , editManifest: (m) => ((m['denoiser'] as Record<string, unknown>)['context'] = 10) }, 'denoiser.onnx: input prev_motion has shape [B,8,20], expected [B,10,20] (manifest denoiser.context 10, 20 channels)'],
      [{ denoiser: { inputTypes: { timestep: 'int64' } } }, 'denoiser.onnx: input timestep has element type int64, expected float32 (SPEC denoiser signature)'],
      [{ denoiser: { rename: { audio_keep: 'audio_mask' } } }, 'denoiser.onnx: input audio_keep is missing, expected inputs x_t, timestep, audio, audio_keep, prev_motion, prev_keep; found x_t, timestep, audio, audio_mask, prev_motion, prev_keep'],
      [{ denoiser: { rename: { prediction: 'x0' } } }, 'denoiser.onnx: output prediction is missing, expected outputs prediction; found x0'],
      [{ denoiser: { batch: 2 } }, 'denoiser.onnx: input x_t has shape [2,50,20], expected [B,50,20]; the batch dimension must be dynamic, found 2'],
    ];
    for (const [options, message] of cases) {
      const { dir } = pack(options);
      const error = await failure(dir);
      expect(error.code, message).toBe('PACK_SIGNATURE');
      expect(error.message).toBe(`${displayPath(join(dir, message.split(':')[0]!))}:${message.split(':').slice(1).join(':')}`);
    }
  });

  it('loads a motion-only pack whose face models are not listed yet when asked to ignore the face block', async () => {
    const { dir } = pack(edit((m) => (m['face'] = { detector: '../face/face_detector.onnx', landmarks: '../face/face_landmarks.onnx' })));
    expect((await failure(dir, { verifySignature: false })).code).toBe('PACK_FILE_UNLISTED');
    const loaded = await loadModelPack(dir, { ignoreFace: true, verifySignature: false });
    expect(loaded.face).toEqual({ detector: join(dir, '..', 'face', 'face_detector.onnx'), landmarks: join(dir, '..', 'face', 'face_landmarks.onnx') });
  });

  it('names a denoiser onnxruntime cannot load', async () => {
    const { dir, manifestPath } = pack();
    writeFileSync(join(dir, 'denoiser.onnx'), 'not an onnx model');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: Record<string, { bytes: number }> };
    manifest.files['denoiser.onnx']!.bytes = 17;
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const error = await failure(dir, { verifyHashes: false });
    expect(error.code).toBe('PACK_DENOISER_LOAD');
    expect(error.message).toContain('denoiser.onnx: onnxruntime cannot load the denoiser');
  });
});

describe('PACK_ERRORS', () => {
  it('describes every code in one sentence, none retried (the files decide)', () => {
    for (const [code, entry] of Object.entries(PACK_ERRORS)) {
      expect(code).toMatch(/^PACK_[A-Z_]+$/);
      expect(entry.description.length).toBeGreaterThan(10);
      expect(entry.retryable).toBe(false);
    }
  });
});
