import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RENDER_OPTION_RANGES, type RenderControls, type Solver } from '@portrait-farm/contracts';
import type { ExecutionProvider } from '@portrait-farm/model-runtime';
import { EngineError } from './errors.ts';

export type { Emotion, RenderControls } from '@portrait-farm/contracts';
export type OutputMode = 'full' | 'crop';

/** Options of {@link renderClip}. Only `image`, `audio` and `out` are required. */
export interface RenderClipOptions {
  /** JPEG, PNG or WebP portrait. */
  image: string;
  /** Any audio file ffmpeg reads. */
  audio: string;
  /** The MP4 to write. */
  out: string;
  /** Model pack folder. @defaultValue the repository's models/starter */
  pack?: string;
  /** Output frame rate, 12..60. @defaultValue 25 */
  fps?: number;
  /** 'full' keeps the portrait's framing (long side capped at 1920); 'crop' renders the 512x512 face crop. @defaultValue 'full' */
  mode?: OutputMode;
  /** @defaultValue 0 */
  seed?: number;
  /** @defaultValue the pack's default */
  steps?: number;
  /** @defaultValue the pack's default */
  solver?: Solver;
  /** Classifier-free guidance scale on audio. @defaultValue the pack's default */
  guidance?: number;
  controls?: RenderControls;
  /** Which face, counted from the largest (0). @defaultValue 0 */
  faceIndex?: number;
  /** The face's box in image pixels, for faces the detector misses. @defaultValue none */
  faceBox?: { x: number; y: number; width: number; height: number };
  /** Execution providers to try, in order. @defaultValue cuda, webgpu, cpu (or PORTRAIT_FARM_PROVIDERS) */
  providers?: ExecutionProvider[];
  /** Threads rendering frames in parallel. @defaultValue 2 (1 on a one-core machine) */
  renderThreads?: number;
  /** Receives log lines (which execution provider runs each model). @defaultValue none */
  log?: (line: string) => void;
  /** Stops the render; the partial output is removed. @defaultValue none */
  signal?: AbortSignal;
}

/** {@link RenderClipOptions} with every field decided and checked. */
export interface ResolvedRenderOptions {
  image: string;
  audio: string;
  out: string;
  pack: string;
  fps: number;
  mode: OutputMode;
  seed: number;
  steps: number | null;
  solver: Solver | null;
  guidance: number | null;
  controls: RenderControls;
  faceIndex: number;
  faceBox: { x: number; y: number; width: number; height: number } | null;
  providers: ExecutionProvider[] | null;
  renderThreads: number;
  log: (line: string) => void;
  signal: AbortSignal | null;
}

export const DEFAULT_PACK = fileURLToPath(new URL('../../../models/starter/', import.meta.url));

function badOption(message: string): EngineError {
  return new EngineError('ENGINE_BAD_OPTION', message);
}

function inputFile(name: string, path: string): string {
  const absolute = resolve(path);
  if (!existsSync(absolute) || !statSync(absolute).isFile()) {
    throw new EngineError('ENGINE_INPUT_MISSING', `${name} file not found: ${path}`);
  }
  return absolute;
}

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw badOption(`${name} must be an integer between ${min} and ${max}. Passed: ${value}`);
  }
  return value;
}

export function resolveRenderOptions(options: RenderClipOptions): ResolvedRenderOptions {
  const out = resolve(options.out);
  if (!existsSync(dirname(out))) {
    throw new EngineError('ENGINE_OUTPUT_UNWRITABLE', `The output folder of ${options.out} does not exist.`);
  }
  const fpsRange = RENDER_OPTION_RANGES.fps;
  const fps = options.fps ?? fpsRange.default;
  if (!Number.isFinite(fps) || fps < fpsRange.min || fps > fpsRange.max) {
    throw badOption(`fps must be between ${fpsRange.min} and ${fpsRange.max}. Passed: ${fps}`);
  }
  const mode = options.mode ?? 'full';
  if (mode !== 'full' && mode !== 'crop') throw badOption(`mode must be full or crop. Passed: ${String(mode)}`);
  const pack = resolve(options.pack ?? DEFAULT_PACK);
  if (!existsSync(resolve(pack, 'manifest.json'))) {
    throw new EngineError('ENGINE_INPUT_MISSING', `Model pack not found: ${options.pack ?? DEFAULT_PACK} has no manifest.json`);
  }
  return {
    image: inputFile('image', options.image),
    audio: inputFile('audio', options.audio),
    out,
    pack,
    fps,
    mode,
    seed: integerIn('seed', options.seed ?? RENDER_OPTION_RANGES.seed.default, RENDER_OPTION_RANGES.seed.min, RENDER_OPTION_RANGES.seed.max),
    steps: options.steps ?? null,
    solver: options.solver ?? null,
    guidance: options.guidance ?? null,
    controls: options.controls ?? {},
    faceIndex: integerIn('faceIndex', options.faceIndex ?? RENDER_OPTION_RANGES.faceIndex.default, RENDER_OPTION_RANGES.faceIndex.min, RENDER_OPTION_RANGES.faceIndex.max),
    faceBox: options.faceBox ?? null,
    providers: options.providers ?? null,
    renderThreads: integerIn('renderThreads', options.renderThreads ?? Math.min(RENDER_OPTION_RANGES.renderThreads.default, availableParallelism()), RENDER_OPTION_RANGES.renderThreads.min, RENDER_OPTION_RANGES.renderThreads.max),
    log: options.log ?? ((): void => {}),
    signal: options.signal ?? null,
  };
}
