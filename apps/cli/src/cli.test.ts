import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.ts';
import { collectingStream, manualClock } from './test-streams.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function io() {
  return { stdout: collectingStream(), stderr: collectingStream(), cwd: root, now: manualClock().now };
}

describe('runCli', () => {
  it('prints the command list for --help and exits 0', async () => {
    const streams = io();
    expect(await runCli(['--help'], streams)).toBe(0);
    expect(streams.stdout.text()).toContain('Usage: portrait-farm <command>');
    expect(streams.stdout.text()).toMatch(/render\s+render a talking video/);
  });

  it('prints usage to stderr and exits 2 without a command or with an unknown one', async () => {
    const none = io();
    expect(await runCli([], none)).toBe(2);
    expect(none.stderr.text()).toContain('Usage: portrait-farm <command>');
    const unknown = io();
    expect(await runCli(['paint'], unknown)).toBe(2);
    expect(unknown.stderr.text()).toContain('unknown command "paint" (commands: render, up, demo, verify)');
  });

  it('shows render usage for render --help and help render', async () => {
    for (const argv of [['render', '--help'], ['help', 'render']]) {
      const streams = io();
      expect(await runCli(argv, streams)).toBe(0);
      expect(streams.stdout.text()).toContain('Usage: portrait-farm render --image PATH --audio PATH --out PATH');
    }
  });

  it('exits 2 with a suggestion and a hint, not the whole usage, for an unknown option', async () => {
    const streams = io();
    expect(await runCli(['render', '--image', 'test/fixtures/astronaut.png', '--seeed', '3'], streams)).toBe(2);
    expect(streams.stderr.text()).toBe(
      "portrait-farm: Unknown option '--seeed'. Did you mean --seed?\n" +
        'Run "portrait-farm render --help" for the options and their ranges.\n',
    );
    expect(streams.stdout.text()).toBe('');
  });

  it('exits 2 with the usage for a missing required option', async () => {
    const streams = io();
    expect(await runCli(['render', '--image', 'test/fixtures/astronaut.png'], streams)).toBe(2);
    expect(streams.stderr.text()).toContain('portrait-farm: Missing required option --audio');
    expect(streams.stderr.text()).toContain('Usage: portrait-farm render');
  });

  it('exits 2 with the message and a hint for a bad value', async () => {
    const streams = io();
    const argv = ['render', '--image', 'test/fixtures/astronaut.png', '--audio', 'test/fixtures/speech-3s.wav', '--out', 'x.mp4', '--fps', '75'];
    expect(await runCli(argv, streams)).toBe(2);
    expect(streams.stderr.text()).toBe(
      'portrait-farm: --fps must be an integer between 12 and 60. Passed: 75\n' +
        'Run "portrait-farm render --help" for the options and their ranges.\n',
    );
  });

  it('prints the version', async () => {
    const streams = io();
    expect(await runCli(['--version'], streams)).toBe(0);
    expect(streams.stdout.text()).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

describe('the installed bin', () => {
  it('runs through npx from the repository root without a build step', async () => {
    const { stdout } = await promisify(execFile)('npx', ['--no-install', 'portrait-farm', '--help'], { cwd: root });
    expect(stdout).toContain('Usage: portrait-farm <command>');
  });

  it('exits 2 on a usage error', async () => {
    const bin = fileURLToPath(new URL('../bin/portrait-farm.js', import.meta.url));
    const failure = await promisify(execFile)(process.execPath, [bin, 'render', '--nope'], { cwd: root }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain("Unknown option '--nope'");
  });
});

describe('render --json', () => {
  it('reports a usage error as an error event on stdout and exits 2', async () => {
    const streams = io();
    const argv = ['render', '--json', '--image', 'test/fixtures/astronaut.png', '--audio', 'test/fixtures/speech-3s.wav', '--out', 'x.mp4', '--fps', '75'];
    expect(await runCli(argv, streams)).toBe(2);
    expect(streams.stderr.text()).toBe('');
    const lines = streams.stdout.text().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({ event: 'error', code: 'CLI_USAGE', message: '--fps must be an integer between 12 and 60. Passed: 75' });
  });

  it('refuses a PORTRAIT_FARM_WATERMARK_KEY the farm would refuse (read through the config model) before rendering', async () => {
    const streams = { ...io(), env: { PORTRAIT_FARM_WATERMARK_KEY: 'short' } };
    const argv = ['render', '--json', '--image', 'test/fixtures/astronaut.png', '--audio', 'test/fixtures/speech-3s.wav', '--out', 'x.mp4'];
    expect(await runCli(argv, streams)).toBe(2);
    expect(JSON.parse(streams.stdout.text())).toMatchObject({ event: 'error', code: 'CLI_USAGE', message: expect.stringMatching(/^PORTRAIT_FARM_WATERMARK_KEY must be .*16/) });
  });

  it('reports unknown and missing options as error events too', async () => {
    for (const argv of [['render', '--json', '--wat'], ['render', '--json']]) {
      const streams = io();
      expect(await runCli(argv, streams)).toBe(2);
      expect(streams.stderr.text()).toBe('');
      expect(JSON.parse(streams.stdout.text())).toMatchObject({ event: 'error', code: 'CLI_USAGE' });
    }
  });
});

/** A grey 8-bit RGB PNG (the CLI does not depend on an image library). */
function greyPng(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer): number => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([length, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.alloc(1 + width * 3, 0x80);
  row[0] = 0;
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}

describe('render checks the portrait before any model loads', () => {
  // A pack whose manifest no engine can load: reaching the models fails with a pack error, not the portrait's.
  async function scratch(): Promise<{ dir: string; argv: (image: string) => string[] }> {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'cli-portrait-'));
    await writeFile(join(dir, 'manifest.json'), '{}');
    return { dir, argv: (image) => ['render', '--image', image, '--audio', 'test/fixtures/speech-3s.wav', '--out', join(dir, 'out.mp4'), '--pack', dir] };
  }

  it('fails with IMAGE_UNREADABLE for a file that is not a JPEG, PNG or WebP', async () => {
    const { dir, argv } = await scratch();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(`${dir}/portrait.png`, 'not a picture');
    const streams = io();
    expect(await runCli(argv(`${dir}/portrait.png`), streams)).toBe(1);
    expect(streams.stderr.text()).toMatch(/^Render failed \[IMAGE_UNREADABLE\]: Cannot read .*portrait\.png: not an image sharp can decode\. Portraits must be JPEG, PNG or WebP images\.\n$/);
  });

  it('says that a large portrait is downscaled', async () => {
    const { dir, argv } = await scratch();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(`${dir}/large.png`, greyPng(2400, 3000));
    const streams = io();
    expect(await runCli(argv(`${dir}/large.png`), streams)).toBe(1);
    const lines = streams.stderr.text().split('\n');
    expect(lines[0]).toBe('The portrait is 2400x3000; it is rendered at 1536x1920 (long side at most 1920).');
    expect(lines[1]).toMatch(/^Render failed \[(?!IMAGE_UNREADABLE)/); // the pack's error: the portrait was read
  });
});
