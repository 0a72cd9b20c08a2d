import { dirname, extname, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { usageError } from './cli-error.ts';
import type { RenderClipOptions } from './engine-contract.ts';
import { OPTION_FLAGS, checkOptionFlags, flagValue, helpLine, setAt, type FlagGroup } from './option-flags.ts';
import { STARTER_PACK } from './install-paths.ts';
import { existingDirectoryWith, existingFile } from './option-values.ts';
import { closestFlag } from './closest-flag.ts';

function optionLines(group: FlagGroup): string {
  return OPTION_FLAGS.filter((option) => option.group === group).map((option) => helpLine(option)).join('\n');
}

export const RENDER_USAGE = `Usage: portrait-farm render --image PATH --audio PATH --out PATH [options]

Render a talking video from one portrait and one audio track.

Required:
  --image PATH              portrait (PNG, JPEG, WebP)
  --audio PATH              speech or song (any format ffmpeg reads)
  --out PATH                output video (.mp4)

Rendering:
  --pack DIR                model pack folder with manifest.json (default: models/starter)
${optionLines('Rendering')}

Controls:
${optionLines('Controls')}

Face choice (portraits with several faces):
${optionLines('Face choice')}

Output:
  --force                   overwrite --out if it exists
  --no-watermark            leave out the invisible watermark (on by default: every frame carries a 64-bit payload
                            derived from the output's file name, the pack version and the date; see the README)
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
  | { kind: 'render'; options: RenderClipOptions; flags: RenderReportFlags; /** Embed the invisible watermark (not --no-watermark). */ watermark: boolean };

const VALUE_OPTIONS: readonly string[] = ['image', 'audio', 'out', 'pack', ...OPTION_FLAGS.map((option) => option.flag)];

const PARSE_CONFIG = {
  options: {
    ...Object.fromEntries(VALUE_OPTIONS.map((name) => [name, { type: 'string' as const }])),
    force: { type: 'boolean' as const },
    'no-watermark': { type: 'boolean' as const },
    json: { type: 'boolean' as const },
    verbose: { type: 'boolean' as const },
    help: { type: 'boolean' as const, short: 'h' },
  },
  strict: true,
  allowPositionals: false,
};

type Values = Partial<Record<string, string | boolean>> & { image?: string; audio?: string; out?: string; pack?: string; force?: boolean; 'no-watermark'?: boolean; json?: boolean; verbose?: boolean; help?: boolean };

/** `--gaze -0.2,0.1` would read as an option; glue a negative-number value to its option as `--gaze=-0.2,0.1`. */
function glueNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const next = argv[i + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : '';
    if (VALUE_OPTIONS.includes(name) && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${arg}=${next}`);
      i += 1;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** "Unknown option '--fsp'. Did you mean --fps?" without the whole usage text; no suggestion when none is close. */
function unknownOptionError(parseMessage: string): Error {
  const typed = /'(-[^']*)'/.exec(parseMessage)?.[1] ?? '';
  const name = typed.replace(/^-+/, '').split('=')[0] ?? '';
  const suggestion = typed.startsWith('--') ? closestFlag(name, Object.keys(PARSE_CONFIG.options)) : null;
  return usageError(`Unknown option '${typed}'${suggestion === null ? '' : `. Did you mean --${suggestion}?`}`);
}

function readValues(argv: readonly string[]): Values {
  try {
    return parseArgs({ ...PARSE_CONFIG, args: glueNegativeValues(argv) }).values as Values;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw unknownOptionError((error as Error).message);
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      throw usageError((error as Error).message.split('\n')[0] ?? 'Bad arguments', true);
    }
    throw error;
  }
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
  if (existsSync(out) && v.force !== true) throw usageError(`${out} already exists; pass --force to overwrite it`);

  const options: RenderClipOptions = {
    image: existingFile('image', at(v.image ?? '')),
    audio: existingFile('audio', at(v.audio ?? '')),
    out,
    pack: v.pack === undefined ? STARTER_PACK : existingDirectoryWith('pack', at(v.pack), 'manifest.json'),
  };
  const chosen: Record<string, unknown> = {};
  const typed = new Map<string, string>();
  for (const option of OPTION_FLAGS) {
    const text = v[option.flag];
    if (typeof text !== 'string') continue;
    setAt(chosen, option.path, flagValue(option.schema, text));
    typed.set(`--${option.flag}`, text);
  }
  checkOptionFlags(chosen, typed);
  return { kind: 'render', options: { ...options, ...chosen }, flags: { json: v.json === true, verbose: v.verbose === true }, watermark: v['no-watermark'] !== true };
}
