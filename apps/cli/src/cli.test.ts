import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
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
    expect(unknown.stderr.text()).toContain('unknown command "paint" (commands: render, up, demo)');
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

  it('reports unknown and missing options as error events too', async () => {
    for (const argv of [['render', '--json', '--wat'], ['render', '--json']]) {
      const streams = io();
      expect(await runCli(argv, streams)).toBe(2);
      expect(streams.stderr.text()).toBe('');
      expect(JSON.parse(streams.stdout.text())).toMatchObject({ event: 'error', code: 'CLI_USAGE' });
    }
  });
});
