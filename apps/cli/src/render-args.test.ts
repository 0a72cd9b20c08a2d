import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { watermarkPayloadHex } from '@portrait-farm/provenance';
import { CliError } from './cli-error.ts';
import { localWatermarkPayload } from './commands/render-command.ts';
import { parseRenderArgs } from './render-args.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const base = ['--image', 'test/fixtures/astronaut.png', '--audio', 'test/fixtures/speech-3s.wav', '--out', 'out.mp4'];

function parse(...extra: string[]): ReturnType<typeof parseRenderArgs> {
  return parseRenderArgs([...base, ...extra], root);
}

function usageMessage(argv: string[]): { message: string; showUsage: boolean } {
  try {
    parseRenderArgs(argv, root);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    const cliError = error as CliError;
    expect(cliError.code).toBe('CLI_USAGE');
    return { message: cliError.message, showUsage: cliError.showUsage };
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`);
}

describe('parseRenderArgs', () => {
  it('passes only the required paths (resolved) when nothing else is given', () => {
    expect(parse()).toEqual({
      kind: 'render',
      options: {
        image: resolve(root, 'test/fixtures/astronaut.png'),
        audio: resolve(root, 'test/fixtures/speech-3s.wav'),
        out: resolve(root, 'out.mp4'),
        pack: resolve(root, 'models/starter') + '/',
      },
      flags: { json: false, verbose: false },
      watermark: true,
    });
  });

  it('maps every option to the engine options', () => {
    const parsed = parse(
      '--fps', '30', '--mode', 'crop', '--seed', '42', '--steps', '8', '--solver', 'ddim', '--guidance', '1.5',
      '--gaze', '-0.25,0.5', '--head-distance', '-0.2', '--emotion', 'happy', '--emotion-intensity', '0.7',
      '--motion-intensity', '0.5', '--blink-rate', '12', '--face-index', '1', '--providers', 'webgpu,cpu',
      '--render-threads', '2', '--json', '--verbose',
    );
    expect(parsed).toMatchObject({
      kind: 'render',
      options: {
        fps: 30, mode: 'crop', seed: 42, steps: 8, solver: 'ddim', guidance: 1.5, faceIndex: 1,
        providers: ['webgpu', 'cpu'], renderThreads: 2,
        controls: { gaze: { x: -0.25, y: 0.5 }, headDistance: -0.2, emotion: 'happy', emotionIntensity: 0.7, motionIntensity: 0.5, blinkRate: 12 },
      },
      flags: { json: true, verbose: true },
      watermark: true,
    });
  });

  it('reads --gaze camera, --face-box and --option=value', () => {
    const parsed = parse('--gaze=camera', '--face-box', '100,80,200,240');
    expect(parsed).toMatchObject({ options: { controls: { gaze: 'camera' }, faceBox: { x: 100, y: 80, width: 200, height: 240 } } });
  });

  it('watermarks by default; --no-watermark leaves the watermark out', () => {
    expect(parse()).toMatchObject({ kind: 'render', watermark: true });
    expect(parse('--no-watermark')).toMatchObject({ kind: 'render', watermark: false });
  });

  it('derives the local watermark payload from the output file name, the pack version and the UTC date', () => {
    const pack = mkdtempSync(join(tmpdir(), 'cli-pack-'));
    writeFileSync(join(pack, 'manifest.json'), JSON.stringify({ version: '1.2.0' }));
    const date = new Date('2025-03-04T23:59:59Z');
    const payload = localWatermarkPayload('/somewhere/clip.mp4', pack, date);
    expect(Buffer.from(payload).toString('hex')).toBe(watermarkPayloadHex({ jobId: 'clip.mp4', tenantId: 'local', packVersion: '1.2.0', date }));
    expect(payload).toHaveLength(8);
    expect(localWatermarkPayload('/elsewhere/clip.mp4', pack, date)).toEqual(payload);
    expect(localWatermarkPayload('/somewhere/other.mp4', pack, date)).not.toEqual(payload);
  });

  it('returns help for -h and --help', () => {
    expect(parseRenderArgs(['-h'], root)).toEqual({ kind: 'help' });
    expect(parseRenderArgs(['--help'], root)).toEqual({ kind: 'help' });
  });

  it.each([
    [['--fps', '75'], '--fps must be an integer between 12 and 60. Passed: 75'],
    [['--fps', '25.5'], '--fps must be an integer between 12 and 60. Passed: 25.5'],
    [['--fps', '25fps'], '--fps must be an integer between 12 and 60. Passed: 25fps'],
    [['--mode', 'wide'], '--mode must be one of full, crop. Passed: wide'],
    [['--seed', '-1'], '--seed must be an integer between 0 and 4294967295. Passed: -1'],
    [['--steps', '0'], '--steps must be an integer between 1 and 100. Passed: 0'],
    [['--solver', 'euler'], '--solver must be one of ddim, dpmpp-2m. Passed: euler'],
    [['--guidance', '21'], '--guidance must be a number between 0 and 20. Passed: 21'],
    [['--gaze', '0.5'], '--gaze must be "camera" or X,Y with X and Y each a number between -1 and 1. Passed: 0.5'],
    [['--gaze', '2,0'], '--gaze must be "camera" or X,Y with X and Y each a number between -1 and 1. Passed: 2,0'],
    [['--head-distance', '3'], '--head-distance must be a number between -0.5 and 0.5. Passed: 3'],
    [['--render-threads', '0'], '--render-threads must be an integer between 1 and 32. Passed: 0'],
    [['--emotion', 'bored'], '--emotion must be one of neutral, happy, sad, angry, surprised. Passed: bored'],
    [['--emotion-intensity', '0.5'], '--emotion-intensity scales an emotion: give the emotion too.'],
    [['--face-box', '0,0,4,64'], '--face-box width must be an integer between 8 and 100000. Passed: 0,0,4,64'],
    [['--emotion-intensity', '1.5'], '--emotion-intensity must be a number between 0 and 1. Passed: 1.5'],
    [['--motion-intensity', 'lots'], '--motion-intensity must be a number between 0 and 2. Passed: lots'],
    [['--blink-rate', '100'], '--blink-rate must be a number between 0 and 60. Passed: 100'],
    [['--face-index', '1.5'], '--face-index must be an integer between 0 and 63. Passed: 1.5'],
    [['--face-box', '1,2,3'], '--face-box must be X,Y,WIDTH,HEIGHT with X and Y each an integer between 0 and 100000, WIDTH and HEIGHT each an integer between 8 and 100000. Passed: 1,2,3'],
    [['--providers', 'cuda,tpu'], '--providers must be a comma-separated list of distinct values from cuda, webgpu, cpu. Passed: cuda,tpu'],
    [['--providers', 'cpu,cpu'], '--providers must be a comma-separated list of distinct values from cuda, webgpu, cpu. Passed: cpu,cpu'],
    [['--pack', 'test/fixtures'], `--pack must be a folder that holds manifest.json. Passed: ${resolve(root, 'test/fixtures')}`],
    [['--face-index', '0', '--face-box', '0,0,64,64'], '--face-index and --face-box choose the face in two ways: pass one.'],
  ])('rejects %j: %s', (extra, message) => {
    expect(usageMessage([...base, ...extra])).toEqual({ message, showUsage: false });
  });

  it('names missing files and a bad output path', () => {
    const missing = resolve(root, 'test/fixtures/none.png');
    expect(usageMessage(['--image', 'test/fixtures/none.png', ...base.slice(2)]).message).toBe(
      `--image must be an existing file. Passed: ${missing}`,
    );
    expect(usageMessage([...base.slice(0, 4), '--out', 'clip.avi']).message).toBe('--out must be a path ending in .mp4. Passed: clip.avi');
    expect(usageMessage([...base.slice(0, 4), '--out', 'no/such/dir/clip.mp4']).message).toBe(
      '--out must be in an existing folder. Passed: no/such/dir/clip.mp4',
    );
  });

  it('suggests the closest flag for an unknown option, without the usage text', () => {
    expect(usageMessage([...base, '--colour', 'red'])).toEqual({ message: "Unknown option '--colour'", showUsage: false });
    expect(usageMessage([...base, '--fsp', '30'])).toEqual({ message: "Unknown option '--fsp'. Did you mean --fps?", showUsage: false });
    expect(usageMessage([...base, '--head-distanse=0.1']).message).toBe("Unknown option '--head-distanse'. Did you mean --head-distance?");
    expect(usageMessage([...base, '--forse']).message).toBe("Unknown option '--forse'. Did you mean --force?");
  });

  it('does not overwrite an existing output file without --force', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'render-args-')), 'clip.mp4');
    writeFileSync(out, 'old');
    const argv = [...base.slice(0, 4), '--out', out];
    expect(usageMessage(argv)).toEqual({ message: `${out} already exists; pass --force to overwrite it`, showUsage: false });
    expect(parseRenderArgs([...argv, '--force'], root)).toMatchObject({ kind: 'render', options: { out } });
  });

  it('asks for the usage text on stray arguments and missing required options', () => {
    expect(usageMessage([...base, 'extra']).showUsage).toBe(true);
    expect(usageMessage([...base, '--fps'])).toMatchObject({ showUsage: true });
    expect(usageMessage(base.slice(2))).toEqual({ message: 'Missing required option --image', showUsage: true });
    expect(usageMessage(base.slice(0, 4))).toEqual({ message: 'Missing required option --out', showUsage: true });
  });
});
