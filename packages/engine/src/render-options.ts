import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import {
  JobOptionsSchema,
  RENDER_OPTION_RANGES,
  RenderProcessOptionsSchema,
  findViolation,
  resolveJobOptions,
  violationMessage,
  type FaceBox,
  type JobOptionsInput,
  type JsonSchema,
  type OutputMode,
  type RenderBackend,
  type RenderControls,
  type RenderProcessOptions,
  type Solver,
} from '@portrait-farm/contracts';
import type { ExecutionProvider } from '@portrait-farm/model-runtime';
import { EngineError } from './errors.ts';
import type { EngineWatermark } from './frame-marks.ts';

export type { Emotion, OutputMode, RenderControls } from '@portrait-farm/contracts';

/**
 * Options of {@link renderClip}: the files, the job's render options (`JobOptionsSchema` in @portrait-farm/contracts:
 * fps, mode, seed, steps, solver, guidance, controls, faceIndex, faceBox, label) and this process's settings. Only `image`,
 * `audio` and `out` are required.
 */
export interface RenderClipOptions extends JobOptionsInput, RenderProcessOptions {
  /** JPEG, PNG or WebP portrait. */
  image: string;
  /** Any audio file ffmpeg reads. */
  audio: string;
  /** The MP4 to write. */
  out: string;
  /** Model pack folder (the app knows where its packs are; the CLI's default is the starter pack it ships). */
  pack: string;
  /** Execution providers to try, in order. @defaultValue cuda, webgpu, cpu (or PORTRAIT_FARM_PROVIDERS) */
  providers?: ExecutionProvider[];
  /**
   * Receives log lines (which execution provider runs each model); those that start with WARNING_PREFIX
   * ("warning: ") are for the person who renders (a face box without a clear face). @defaultValue none
   */
  log?: (line: string) => void;
  /** Stops the render; the partial output is removed. @defaultValue none */
  signal?: AbortSignal;
  /**
   * Embed the invisible watermark in every frame (after the label, before encoding). Not a job option: the farm sets
   * it for every job (the job's payload, the operator's key) and `portrait-farm render` by default. @defaultValue none
   */
  watermark?: EngineWatermark | null;
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
  faceBox: FaceBox | null;
  /** Draw the visible "AI-GENERATED" label on every frame. */
  label: boolean;
  providers: ExecutionProvider[] | null;
  renderThreads: number;
  /** How the render threads draw frames. */
  renderer: RenderBackend;
  log: (line: string) => void;
  signal: AbortSignal | null;
  /** The invisible watermark embedded in every frame, or null. */
  watermark: EngineWatermark | null;
}

function inputFile(name: string, path: string): string {
  const absolute = resolve(path);
  if (!existsSync(absolute) || !statSync(absolute).isFile()) {
    throw new EngineError('ENGINE_INPUT_MISSING', `${name} file not found: ${path}`);
  }
  return absolute;
}

function check(schema: JsonSchema, value: object): void {
  const violation = findViolation(schema, value);
  if (violation !== null) throw new EngineError('ENGINE_BAD_OPTION', violationMessage(violation, (path) => path.join('.'), 'Passed'));
}

function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Checks the options against the one option model and decides every default. */
export function resolveRenderOptions(options: RenderClipOptions): ResolvedRenderOptions {
  const out = resolve(options.out);
  if (!existsSync(dirname(out))) {
    throw new EngineError('ENGINE_OUTPUT_UNWRITABLE', `The output folder of ${options.out} does not exist.`);
  }
  const { image, audio, out: _out, pack: packOption, providers, renderThreads, renderer, log, signal, watermark, ...jobOptions } = options;
  check(JobOptionsSchema, defined(jobOptions));
  check(RenderProcessOptionsSchema, defined({ providers, renderThreads, renderer }));
  const job = resolveJobOptions(jobOptions);
  if (watermark != null && (!(watermark.payload instanceof Uint8Array) || watermark.payload.length !== 8)) {
    throw new EngineError('ENGINE_BAD_OPTION', `Passed watermark.payload must be 8 bytes (a Uint8Array); given ${watermark.payload instanceof Uint8Array ? `${watermark.payload.length} bytes` : typeof watermark.payload}.`);
  }
  const pack = resolve(packOption);
  if (!existsSync(resolve(pack, 'manifest.json'))) {
    throw new EngineError('ENGINE_INPUT_MISSING', `Model pack not found: ${packOption} has no manifest.json`);
  }
  return {
    image: inputFile('image', image),
    audio: inputFile('audio', audio),
    out,
    pack,
    fps: job.fps,
    mode: job.mode,
    seed: job.seed,
    steps: job.steps ?? null,
    solver: job.solver ?? null,
    guidance: job.guidance ?? null,
    controls: job.controls ?? {},
    faceIndex: job.faceIndex ?? RENDER_OPTION_RANGES.faceIndex.default,
    faceBox: job.faceBox ?? null,
    label: job.label ?? false,
    providers: providers ?? null,
    renderThreads: renderThreads ?? Math.min(RENDER_OPTION_RANGES.renderThreads.default, availableParallelism()),
    renderer: renderer ?? 'cpu',
    log: log ?? ((): void => {}),
    signal: signal ?? null,
    watermark: watermark == null ? null : { payload: Uint8Array.from(watermark.payload), ...(watermark.key == null ? {} : { key: watermark.key }) },
  };
}
