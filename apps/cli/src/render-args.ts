import { RENDER_OPTION_RANGES } from '@portrait-farm/contracts';
import { dirname, extname, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { usageError } from './cli-error.ts';
import type { Emotion, Provider, RenderClipOptions, RenderControls, Solver } from './engine-contract.ts';
import {
  existingDirectoryWith,
  existingFile,
  integerInRange,
  numberInRange,
  numberList,
  oneOf,
  wordList,
} from './option-values.ts';

export const RENDER_USAGE = `Usage: portrait-farm render --image PATH --audio PATH --out PATH [options]

Render a talking video from one portrait and one audio track.

Required:
  --image PATH              portrait (PNG, JPEG, WebP)
  --audio PATH              speech or song (any format ffmpeg reads)
  --out PATH                output video (.mp4)

Rendering:
  --pack DIR                model pack folder with manifest.json (default: models/starter)
  --fps N                   output frame rate, 12 to 60 (default: 25)
  --mode full|crop          whole portrait, or a square crop around the face (default: full)
  --seed N                  random seed, 0 to 4294967295 (same seed, same video)
  --steps N                 denoising steps, 1 to 100 (default: the pack's)
  --solver ddim|dpmpp-2m    diffusion solver (default: the pack's)
  --guidance X              audio guidance scale, 0 to 10 (default: the pack's)
  --providers LIST          execution providers to try in order, from cuda,webgpu,cpu
  --render-threads N        threads rendering frames in parallel, 1 to 32 (default: 2, or 1 on one core)

Controls:
  --gaze X,Y|camera         gaze direction, X and Y in -1..1 (1 = 30 degrees), or at the camera
  --head-distance X         head scale offset (natural log), -0.5 (farther) to 0.5 (closer)
  --emotion NAME            neutral, happy, sad, angry or surprised
  --emotion-intensity X     0 to 1
  --motion-intensity X      head motion, 0 (still) to 2 (lively); 1 is natural
  --blink-rate N            blinks per minute, 0 to 60

Face choice (portraits with several faces):
  --face-index N            which detected face, 0 = largest (0 to 63)
  --face-box X,Y,W,H        the face's box in image pixels

Output:
  --json                    one JSON object per line on stdout (progress, done, error)
  --verbose                 engine log lines, and stack traces on errors
  -h, --help                this text
`;

/** Flags that change how the CLI reports, not what it renders. */
export interface RenderReportFlags {
  json: boolean;
  verbose: boolean;
}

export type ParsedRender =
  | { kind: 'help' }
  | { kind: 'render'; options: RenderClipOptions; flags: RenderReportFlags };

const VALUE_OPTIONS = [
  'image', 'audio', 'out', 'pack', 'fps', 'mode', 'seed', 'steps', 'solver', 'guidance', 'gaze', 'head-distance',
  'emotion', 'emotion-intensity', 'motion-intensity', 'blink-rate', 'face-index', 'face-box', 'providers',
  'render-threads',
] as const;

const PARSE_CONFIG = {
  options: {
    ...Object.fromEntries(VALUE_OPTIONS.map((name) => [name, { type: 'string' as const }])),
    json: { type: 'boolean' as const },
    verbose: { type: 'boolean' as const },
    help: { type: 'boolean' as const, short: 'h' },
  },
  strict: true,
  allowPositionals: false,
};

type Values = Partial<Record<(typeof VALUE_OPTIONS)[number], string>> & { json?: boolean; verbose?: boolean; help?: boolean };

/** `--gaze -0.2,0.1` would read as an option; glue a negative-number value to its option as `--gaze=-0.2,0.1`. */
function glueNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const next = argv[i + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : '';
    if ((VALUE_OPTIONS as readonly string[]).includes(name) && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${arg}=${next}`);
      i += 1;
    } else {
      out.push(arg);
    }
  }
  return out;
}

function readValues(argv: readonly string[]): Values {
  try {
    return parseArgs({ ...PARSE_CONFIG, args: glueNegativeValues(argv) }).values as Values;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      throw usageError((error as Error).message.split('\n')[0] ?? 'Bad arguments', true);
    }
    throw error;
  }
}

function parseGaze(text: string): NonNullable<RenderControls['gaze']> {
  if (text === 'camera') return 'camera';
  const what = '"camera" or X,Y with X and Y between -1 and 1';
  const [x = 0, y = 0] = numberList('gaze', text, 2, what);
  if (Math.abs(x) > 1 || Math.abs(y) > 1) throw usageError(`--gaze must be ${what}. Passed: ${text}`);
  return { x, y };
}

function parseControls(v: Values): RenderControls | undefined {
  const controls: RenderControls = {};
  if (v.gaze !== undefined) controls.gaze = parseGaze(v.gaze);
  if (v['head-distance'] !== undefined) controls.headDistance = numberInRange('head-distance', v['head-distance'], RENDER_OPTION_RANGES.headDistance.min, RENDER_OPTION_RANGES.headDistance.max);
  if (v.emotion !== undefined) {
    controls.emotion = oneOf<Emotion>('emotion', v.emotion, ['neutral', 'happy', 'sad', 'angry', 'surprised']);
  }
  if (v['emotion-intensity'] !== undefined) {
    controls.emotionIntensity = numberInRange('emotion-intensity', v['emotion-intensity'], RENDER_OPTION_RANGES.emotionIntensity.min, RENDER_OPTION_RANGES.emotionIntensity.max);
  }
  if (v['motion-intensity'] !== undefined) {
    controls.motionIntensity = numberInRange('motion-intensity', v['motion-intensity'], RENDER_OPTION_RANGES.motionIntensity.min, RENDER_OPTION_RANGES.motionIntensity.max);
  }
  if (v['blink-rate'] !== undefined) controls.blinkRate = numberInRange('blink-rate', v['blink-rate'], RENDER_OPTION_RANGES.blinkRate.min, RENDER_OPTION_RANGES.blinkRate.max);
  return Object.keys(controls).length === 0 ? undefined : controls;
}

function parseFaceBox(text: string): NonNullable<RenderClipOptions['faceBox']> {
  const what = 'X,Y,W,H: four integers, X and Y at least 0, W and H at least 8';
  const [x = -1, y = -1, width = 0, height = 0] = numberList('face-box', text, 4, what);
  if (![x, y, width, height].every(Number.isInteger) || x < 0 || y < 0 || width < 8 || height < 8) {
    throw usageError(`--face-box must be ${what}. Passed: ${text}`);
  }
  return { x, y, width, height };
}

/** Parses and checks `render`'s arguments into the engine's options; paths are resolved against `cwd`. */
export function parseRenderArgs(argv: readonly string[], cwd: string): ParsedRender {
  const v = readValues(argv);
  if (v.help === true) return { kind: 'help' };
  for (const required of ['image', 'audio', 'out'] as const) {
    if (v[required] === undefined) throw usageError(`Missing required option --${required}`, true);
  }
  const at = (path: string): string => resolve(cwd, path);
  const out = at(v.out ?? '');
  if (extname(out).toLowerCase() !== '.mp4') throw usageError(`--out must be a path ending in .mp4. Passed: ${v.out}`);
  if (!existsSync(dirname(out))) throw usageError(`--out must be in an existing folder. Passed: ${v.out}`);

  const options: RenderClipOptions = {
    image: existingFile('image', at(v.image ?? '')),
    audio: existingFile('audio', at(v.audio ?? '')),
    out,
  };
  if (v.pack !== undefined) options.pack = existingDirectoryWith('pack', at(v.pack), 'manifest.json');
  if (v.fps !== undefined) options.fps = integerInRange('fps', v.fps, RENDER_OPTION_RANGES.fps.min, RENDER_OPTION_RANGES.fps.max);
  if (v.mode !== undefined) options.mode = oneOf('mode', v.mode, ['full', 'crop'] as const);
  if (v.seed !== undefined) options.seed = integerInRange('seed', v.seed, RENDER_OPTION_RANGES.seed.min, RENDER_OPTION_RANGES.seed.max);
  if (v.steps !== undefined) options.steps = integerInRange('steps', v.steps, RENDER_OPTION_RANGES.steps.min, RENDER_OPTION_RANGES.steps.max);
  if (v.solver !== undefined) options.solver = oneOf<Solver>('solver', v.solver, ['ddim', 'dpmpp-2m']);
  if (v.guidance !== undefined) options.guidance = numberInRange('guidance', v.guidance, RENDER_OPTION_RANGES.guidance.min, RENDER_OPTION_RANGES.guidance.max);
  const controls = parseControls(v);
  if (controls !== undefined) options.controls = controls;
  if (v['face-index'] !== undefined) options.faceIndex = integerInRange('face-index', v['face-index'], RENDER_OPTION_RANGES.faceIndex.min, RENDER_OPTION_RANGES.faceIndex.max);
  if (v['face-box'] !== undefined) options.faceBox = parseFaceBox(v['face-box']);
  if (v['face-index'] !== undefined && v['face-box'] !== undefined) {
    throw usageError(`--face-index and --face-box choose the face in two ways; pass one. Passed: both`);
  }
  if (v.providers !== undefined) {
    options.providers = wordList<Provider>('providers', v.providers, ['cuda', 'webgpu', 'cpu']);
  }
  if (v['render-threads'] !== undefined) {
    options.renderThreads = integerInRange('render-threads', v['render-threads'], RENDER_OPTION_RANGES.renderThreads.min, RENDER_OPTION_RANGES.renderThreads.max);
  }
  return { kind: 'render', options, flags: { json: v.json === true, verbose: v.verbose === true } };
}
