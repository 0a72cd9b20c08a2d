import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { renderClipWith, resolveRenderOptions, type Engine, type EngineWatermark } from '@portrait-farm/engine';
import { decodeAudio, readVideoFrames } from '@portrait-farm/media';
import { headMotionStd, type HeadAngles } from './head-pose.ts';
import { bestLag, DEFAULT_THRESHOLDS, mouthOpening, pearson, rigidJitter, rigidShapeDrift, scorePhones, seamRatio, type FrameLandmarks, type MouthThresholds, type PhoneScores } from './mouth-metrics.ts';
import { median, thresholdsForRest, writeRestAudio } from './rest-calibration.ts';
import type { TimedPhone } from './phones.ts';

/** One clip to evaluate: speech and its phone timings. */
export interface EvaluationClip {
  name: string;
  audio: string;
  phones: TimedPhone[];
  /** The evaluation set the clip belongs to (e.g. real-fast-1.5): sets are reported separately. */
  kind: string;
  /** Head motion of the clip's training-style targets (`NAME.target.json`), to compare the output with. */
  targetHeadStd?: HeadAngles;
}

export interface ClipEvaluation {
  name: string;
  kind: string;
  frames: number;
  scores: PhoneScores;
  /** Pearson correlation of the mouth opening with the speech envelope. */
  envelopeCorrelation: number;
  /** Lag of the mouth opening behind the envelope at best correlation, in ms (negative = mouth leads). */
  lagMs: number;
  /** Frame-to-frame shake of rigid face points (second difference), in eye distances. */
  jitter: number;
  /** Shape change of rigid face points against the first frame after alignment, in eye distances (mean). */
  drift: number;
  /** Mouth opening change across segment boundaries relative to elsewhere (1 = no seam). */
  seamRatio: number;
  /** Head motion measured on the output: standard deviation of the rigid head pose over the clip, degrees. */
  headStd: HeadAngles;
  /** The same figure for the clip's targets, when known. */
  targetHeadStd: HeadAngles | null;
  /** The re-detected mouth opening of every output frame (inner lip gap in eye distances). */
  opening: number[];
}

export interface EvaluateOptions {
  image: string;
  clips: readonly EvaluationClip[];
  /** Folder for the rendered videos. */
  workDir: string;
  fps?: number;
  seed?: number;
  steps?: number;
  guidance?: number;
  /** The invisible watermark, as the farm and `render` embed it: the frames measured are the frames users get. */
  watermark?: EngineWatermark;
  /** Closed and open thresholds; {@link calibrateRest} gives the portrait's own. */
  thresholds?: MouthThresholds;
  log?: (line: string) => void;
}

/** What a render of the portrait in silence measures: its sealed mouth, and the thresholds that follow from it. */
export interface RestCalibration {
  /** Median re-detected inner-lip gap over the frames of a silent render, in mouth widths. */
  restOpening: number;
  thresholds: MouthThresholds;
}

/**
 * Clips in a folder: every `NAME.wav` (or .ogg, .mp3) with a `NAME.phones.json` beside it, and the head motion of
 * its targets from `NAME.target.json` ({ headStd: { yaw, pitch, roll } }) where there is one.
 */
export function clipsInFolder(dir: string, kind: string): EvaluationClip[] {
  const files = readdirSync(dir);
  return files
    .filter((file) => file.endsWith('.phones.json'))
    .sort()
    .flatMap((file) => {
      const name = file.slice(0, -'.phones.json'.length);
      const audio = files.find((f) => f.startsWith(`${name}.`) && /\.(wav|ogg|mp3|flac|m4a)$/.test(f));
      if (audio === undefined) return [];
      const clip: EvaluationClip = { name, audio: join(dir, audio), phones: JSON.parse(readFileSync(join(dir, file), 'utf8')) as TimedPhone[], kind };
      if (files.includes(`${name}.target.json`)) {
        clip.targetHeadStd = (JSON.parse(readFileSync(join(dir, `${name}.target.json`), 'utf8')) as { headStd: HeadAngles }).headStd;
      }
      return [clip];
    });
}

function envelope(samples: Float32Array, sampleRate: number, fps: number, frames: number): number[] {
  const hop = sampleRate / fps;
  return Array.from({ length: frames }, (_, f) => {
    const from = Math.floor(f * hop);
    const to = Math.min(samples.length, Math.floor((f + 1) * hop));
    let sum = 0;
    for (let i = from; i < to; i++) sum += samples[i]! * samples[i]!;
    return to > from ? Math.sqrt(sum / (to - from)) : 0;
  });
}

/** Renders `audio` with the engine's pack and re-detects the face landmarks of every output frame. */
async function renderLandmarks(engine: Engine, options: EvaluateOptions, audio: string, name: string): Promise<FrameLandmarks[]> {
  const out = join(options.workDir, `${basename(name)}.mp4`);
  const resolved = resolveRenderOptions({
    image: options.image,
    audio,
    out,
    pack: engine.pack.dir,
    mode: 'crop',
    fps: options.fps ?? 25,
    seed: options.seed ?? 0,
    ...(options.steps === undefined ? {} : { steps: options.steps }),
    ...(options.guidance === undefined ? {} : { guidance: options.guidance }),
    ...(options.watermark === undefined ? {} : { watermark: options.watermark }),
  });
  await renderClipWith(engine, resolved);
  const video = await readVideoFrames(out);
  const landmarks: FrameLandmarks[] = [];
  for (const frame of video.frames) {
    const analysis = await engine.face.analyze({ width: video.width, height: video.height, data: frame }, {});
    landmarks.push(analysis.landmarks);
  }
  return landmarks;
}

/**
 * Renders the portrait for 3 s of silence and reads its sealed mouth: the closed threshold for this portrait
 * (rest-calibration.ts). The first half second is skipped (the motion settles from its start pose).
 */
export async function calibrateRest(engine: Engine, options: EvaluateOptions): Promise<RestCalibration> {
  const landmarks = await renderLandmarks(engine, options, writeRestAudio(options.workDir), 'rest-calibration');
  const fps = options.fps ?? 25;
  const restOpening = median(landmarks.slice(Math.round(fps / 2)).map(mouthOpening));
  return { restOpening, thresholds: thresholdsForRest(restOpening) };
}

/** Renders each clip with the engine's pack, re-detects the face in every output frame and scores the mouth. */
export async function evaluateRenders(engine: Engine, options: EvaluateOptions): Promise<ClipEvaluation[]> {
  const fps = options.fps ?? 25;
  const thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
  const results: ClipEvaluation[] = [];
  for (const clip of options.clips) {
    const landmarks = await renderLandmarks(engine, options, clip.audio, clip.name);
    const opening = landmarks.map(mouthOpening);
    const audio = await decodeAudio(clip.audio);
    const env = envelope(audio.samples, audio.sampleRate, fps, opening.length);
    const window = engine.pack.denoiser.window;
    const boundaries = Array.from({ length: Math.floor(opening.length / window) }, (_, i) => Math.round(((i + 1) * window * fps) / engine.pack.fps));
    const evaluation: ClipEvaluation = {
      name: clip.name,
      kind: clip.kind,
      frames: opening.length,
      scores: scorePhones(opening, clip.phones, fps, thresholds),
      envelopeCorrelation: pearson(opening, env),
      lagMs: (bestLag(env, opening, 6) * 1000) / fps,
      jitter: rigidJitter(landmarks),
      drift: landmarks.reduce((sum, l) => sum + rigidShapeDrift(landmarks[0]!, l), 0) / landmarks.length,
      seamRatio: seamRatio(opening, boundaries),
      headStd: headMotionStd(landmarks),
      targetHeadStd: clip.targetHeadStd ?? null,
      opening,
    };
    options.log?.(`${clip.name}: ${JSON.stringify(evaluation.scores)} r=${evaluation.envelopeCorrelation.toFixed(2)}`);
    results.push(evaluation);
  }
  return results;
}

export interface EvaluationSummary {
  kind: string;
  clips: number;
  frames: number;
  bilabialClosure: number;
  openVowelOpening: number;
  silenceClosure: number;
  envelopeCorrelation: number;
  lagMs: number;
  jitter: number;
  drift: number;
  seamRatio: number;
  /** Mean over clips of the head pose standard deviation measured on the output, degrees. */
  headStd: HeadAngles;
  /** The same for the clips' targets (NaN where no clip has them). */
  targetHeadStd: HeadAngles;
}

/** Rates pooled over the clips of each kind (and 'all'); the other figures are means over clips. */
export function summarise(results: readonly ClipEvaluation[]): EvaluationSummary[] {
  const kinds = [...new Set(results.map((r) => r.kind)), 'all'];
  const mean = (xs: number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
  return kinds.map((kind) => {
    const group = results.filter((r) => kind === 'all' || r.kind === kind);
    const total = (key: keyof PhoneScores): number => group.reduce((s, r) => s + r.scores[key], 0);
    const rate = (hit: keyof PhoneScores, all: keyof PhoneScores): number => (total(all) === 0 ? NaN : total(hit) / total(all));
    return {
      kind,
      clips: group.length,
      frames: group.reduce((s, r) => s + r.frames, 0),
      bilabialClosure: rate('bilabialsClosed', 'bilabials'),
      openVowelOpening: rate('openVowelsOpened', 'openVowels'),
      silenceClosure: rate('silentFramesClosed', 'silentFrames'),
      envelopeCorrelation: mean(group.map((r) => r.envelopeCorrelation)),
      lagMs: mean(group.map((r) => r.lagMs)),
      jitter: mean(group.map((r) => r.jitter)),
      drift: mean(group.map((r) => r.drift)),
      seamRatio: mean(group.map((r) => r.seamRatio)),
      headStd: meanAngles(group.map((r) => r.headStd)),
      targetHeadStd: meanAngles(group.flatMap((r) => (r.targetHeadStd === null ? [] : [r.targetHeadStd]))),
    };
  });
}

function meanAngles(values: readonly HeadAngles[]): HeadAngles {
  const mean = (key: keyof HeadAngles): number => (values.length === 0 ? NaN : values.reduce((s, v) => s + v[key], 0) / values.length);
  return { yaw: mean('yaw'), pitch: mean('pitch'), roll: mean('roll') };
}

/** The summary as a markdown table. */
export function summaryTable(rows: readonly EvaluationSummary[]): string {
  const pct = (x: number): string => (Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(1)} %`);
  const lines = [
    '| speech | clips | frames | p/b/m closed | open vowels opened | silence closed | r(opening, envelope) | lag (ms) | jitter (eye dist.) | rigid drift (eye dist.) | seam ratio | head std yaw/pitch/roll (deg) | targets\' |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const angles = (a: HeadAngles): string => (Number.isNaN(a.yaw) ? 'n/a' : `${a.yaw.toFixed(2)} / ${a.pitch.toFixed(2)} / ${a.roll.toFixed(2)}`);
  for (const r of rows) {
    lines.push(`| ${r.kind} | ${r.clips} | ${r.frames} | ${pct(r.bilabialClosure)} | ${pct(r.openVowelOpening)} | ${pct(r.silenceClosure)} | ${r.envelopeCorrelation.toFixed(2)} | ${r.lagMs.toFixed(0)} | ${r.jitter.toFixed(4)} | ${r.drift.toFixed(4)} | ${r.seamRatio.toFixed(2)} | ${angles(r.headStd)} | ${angles(r.targetHeadStd)} |`);
  }
  return lines.join('\n');
}
