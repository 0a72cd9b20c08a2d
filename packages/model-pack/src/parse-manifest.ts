import { dirname, resolve } from 'node:path';
import { MOTION_CHANNELS, type MotionChannel } from '@portrait-farm/contracts';
import { displayPath, quote } from './display-path.ts';
import { PackError } from './errors.ts';
import { FieldReader } from './manifest-fields.ts';
import type { ModelPack, NoiseSchedule, PackFile, PackLiveDenoiser, PredictionType, SolverName } from './model-pack.ts';

export const PACK_FORMAT = 'portrait-farm-pack/1';
export const AUDIO_FRONTEND = 'oww-mel-emb-v1';
const PREDICTIONS: readonly PredictionType[] = ['x0', 'eps', 'v'];
const SOLVERS: readonly SolverName[] = ['ddim', 'dpmpp-2m'];
const SHA256 = /^[0-9a-f]{64}$/;

/** The manifest's data before file checks: a ModelPack without the stats getters. */
export type ParsedManifest = Omit<ModelPack, 'channelMean' | 'channelStd'> & {
  readonly channelMean: readonly number[];
  readonly channelStd: readonly number[];
};

function parseSchedule(denoiser: FieldReader): NoiseSchedule {
  const schedule = denoiser.object_('schedule', 'PACK_SCHEDULE');
  const type = schedule.oneOf('type', ['cosine', 'linear'] as const, 'PACK_SCHEDULE');
  const timesteps = schedule.integer('timesteps', 2, 100_000, 'PACK_SCHEDULE');
  if (type === 'cosine') return { type, timesteps, s: schedule.number('s', 0, 1, 'PACK_SCHEDULE') };
  const betaStart = schedule.number('beta_start', 1e-8, 0.999, 'PACK_SCHEDULE');
  const betaEnd = schedule.number('beta_end', betaStart, 0.999, 'PACK_SCHEDULE');
  return { type, timesteps, betaStart, betaEnd };
}

/** The live_denoiser block's own fields (its file is checked against `files` later); it shares the rest with denoiser. */
function parseLiveDenoiser(root: FieldReader, window: number, timesteps: number): Omit<PackLiveDenoiser, 'file'> & { fileRef: string } {
  const live = root.object_('live_denoiser');
  const fileRef = live.string('file');
  const lookaheadFrames = live.integer('lookahead_frames', 0, window - 1);
  return {
    fileRef,
    hopFrames: live.integer('hop_frames', 1, window - lookaheadFrames),
    lookaheadFrames,
    featureLookaheadMs: live.integer('feature_lookahead_ms', 0, 1000),
    defaultSteps: live.integer('default_steps', 1, timesteps),
  };
}

function parseChannels(label: string, root: FieldReader): MotionChannel[] {
  const channels = root.raw('channels');
  const expected = MOTION_CHANNELS as readonly string[];
  const same = Array.isArray(channels) && channels.length === expected.length && channels.every((c, i) => c === expected[i]);
  if (!same) {
    const at = Array.isArray(channels) ? expected.findIndex((c, i) => channels[i] !== c) : -1;
    const detail = Array.isArray(channels)
      ? at >= 0
        ? `channel ${at} is ${quote(channels[at])} where SPEC has "${expected[at]}"`
        : `${channels.length} channels where SPEC has ${expected.length}`
      : quote(channels);
    throw new PackError('PACK_CHANNELS', `${label}: field "channels" must be the ${expected.length} motion channels of models/SPEC.md in order (${expected.join(', ')}). Found: ${detail}`);
  }
  return [...MOTION_CHANNELS];
}

function parseFiles(label: string, root: FieldReader, dir: string): Record<string, PackFile> {
  const files: Record<string, PackFile> = {};
  for (const [name, value] of root.object_('files').entries()) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new PackError('PACK_FIELD', `${label}: field "files.${name}" must be an object with sha256, bytes, license and source. Found: ${quote(value)}`);
    }
    const entry = new FieldReader(label, value as Record<string, unknown>, `files.${name}.`);
    const sha256 = entry.string('sha256');
    if (!SHA256.test(sha256)) {
      throw new PackError('PACK_FIELD', `${label}: field "files.${name}.sha256" must be 64 lowercase hex digits. Found: ${quote(sha256)}`);
    }
    files[name] = Object.freeze({
      path: resolve(dir, name),
      sha256,
      bytes: entry.integer('bytes', 0, Number.MAX_SAFE_INTEGER),
      license: entry.string('license'),
      source: entry.string('source'),
    });
  }
  return files;
}

/** Checks that `reference` (as written at `field`) is listed in files; returns its absolute path. */
function listed(label: string, files: Record<string, PackFile>, dir: string, field: string, reference: string): string {
  const path = resolve(dir, reference);
  if (!Object.values(files).some((file) => file.path === path)) {
    throw new PackError(
      'PACK_FILE_UNLISTED',
      `${label}: field "${field}" names ${quote(reference)}, which must be listed in "files" with its sha256, bytes, license and source. Found: files lists ${Object.keys(files).map((n) => quote(n)).join(', ') || 'nothing'}`,
    );
  }
  return path;
}

/** Validates a manifest object (models/SPEC.md, "Manifest") and resolves its paths against its directory. */
export function parseManifest(json: unknown, manifestPath: string, options: { ignoreFace?: boolean } = {}): ParsedManifest {
  const label = displayPath(manifestPath);
  const dir = dirname(manifestPath);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new PackError('PACK_FIELD', `${label}: the manifest must be a JSON object. Found: ${quote(json)}`);
  }
  const root = new FieldReader(label, json as Record<string, unknown>);
  root.exactly('format', PACK_FORMAT, 'the only pack format this loader reads', 'PACK_FORMAT');
  const name = root.string('name');
  const version = root.string('version');
  const fps = root.exactly('fps', 25, `the frame rate of audio front-end ${AUDIO_FRONTEND}`, 'PACK_FIELD');
  const channels = parseChannels(label, root);
  const channelMean = root.numbers('channel_mean', channels.length, 'PACK_STATS');
  const channelStd = root.numbers('channel_std', channels.length, 'PACK_STATS');
  const badStd = channelStd.findIndex((s) => !(s > 0));
  if (badStd >= 0) {
    throw new PackError('PACK_STATS', `${label}: field "channel_std[${badStd}]" (${channels[badStd]}) must be greater than 0. Found: ${channelStd[badStd]}`);
  }

  const audio = root.object_('audio', 'PACK_AUDIO');
  audio.exactly('frontend', AUDIO_FRONTEND, 'the audio front-end of models/SPEC.md', 'PACK_AUDIO');
  audio.exactly('sample_rate', 16000, `the sample rate of ${AUDIO_FRONTEND}`, 'PACK_AUDIO');
  audio.exactly('feature_dim', 224, `the feature size of ${AUDIO_FRONTEND}`, 'PACK_AUDIO');
  const melRef = audio.string('mel', 'PACK_AUDIO');
  const embeddingRef = audio.string('embedding', 'PACK_AUDIO');
  const embeddingSequenceRef = audio.has('embedding_sequence') ? audio.string('embedding_sequence', 'PACK_AUDIO') : null;

  const denoiser = root.object_('denoiser');
  const fileRef = denoiser.string('file');
  const window = denoiser.integer('window', 1, 10_000);
  const context = denoiser.integer('context', 1, window);
  const prediction = denoiser.oneOf('prediction', PREDICTIONS);
  const schedule = parseSchedule(denoiser);
  const defaultSteps = denoiser.integer('default_steps', 1, schedule.timesteps);
  const defaultSolver = denoiser.oneOf('default_solver', SOLVERS);
  const defaultGuidance = denoiser.number('default_guidance', 0, 100);
  const continuityFrames = denoiser.has('continuity_frames') ? denoiser.integer('continuity_frames', 0, window - context) : 0;
  const live = root.has('live_denoiser') ? parseLiveDenoiser(root, window, schedule.timesteps) : null;

  const rendererReader = root.object_('renderer');
  const renderer = Object.freeze({ ...(root.raw('renderer') as Record<string, unknown>), type: rendererReader.string('type') });

  const files = parseFiles(label, root, dir);
  let face: Record<string, string> | null = null;
  if (root.has('face')) {
    face = {};
    for (const [key, value] of root.object_('face').entries()) {
      if (typeof value !== 'string' || value === '') {
        throw new PackError('PACK_FIELD', `${label}: field "face.${key}" must be a path relative to the manifest. Found: ${quote(value)}`);
      }
      face[key] = options.ignoreFace ? resolve(dir, value) : listed(label, files, dir, `face.${key}`, value);
    }
    Object.freeze(face);
  }

  return Object.freeze({
    dir,
    manifestPath,
    format: PACK_FORMAT,
    name,
    version,
    fps,
    channels: Object.freeze(channels),
    channelMean: Object.freeze([...channelMean]),
    channelStd: Object.freeze([...channelStd]),
    audio: Object.freeze({
      frontend: AUDIO_FRONTEND,
      sampleRate: 16000,
      featureDim: 224,
      mel: listed(label, files, dir, 'audio.mel', melRef),
      embedding: listed(label, files, dir, 'audio.embedding', embeddingRef),
      embeddingSequence: embeddingSequenceRef === null ? null : listed(label, files, dir, 'audio.embedding_sequence', embeddingSequenceRef),
    }),
    denoiser: Object.freeze({
      file: listed(label, files, dir, 'denoiser.file', fileRef),
      window,
      context,
      prediction,
      schedule: Object.freeze(schedule),
      defaultSteps,
      defaultSolver,
      defaultGuidance,
      continuityFrames,
    }),
    liveDenoiser:
      live === null
        ? null
        : Object.freeze({
            file: listed(label, files, dir, 'live_denoiser.file', live.fileRef),
            hopFrames: live.hopFrames,
            lookaheadFrames: live.lookaheadFrames,
            featureLookaheadMs: live.featureLookaheadMs,
            defaultSteps: live.defaultSteps,
          }),
    renderer,
    face,
    files: Object.freeze(files),
  });
}
