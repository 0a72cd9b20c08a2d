// Helpers shared by this package's tests (not exported from the package).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';

const run = promisify(execFile);

export function fixture(name: string): string {
  return fileURLToPath(new URL(`../../../../test/fixtures/${name}`, import.meta.url));
}

export function makeTempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'pf-media-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `count` RGB frames of the astronaut portrait at `size` x `size`, panning one pixel per frame. */
export async function portraitFrames(count: number, size: number): Promise<Uint8Array[]> {
  const margin = count;
  const base = await sharp(fixture('astronaut.png'))
    .removeAlpha()
    .resize(size + margin, size + margin)
    .raw()
    .toBuffer();
  const stride = (size + margin) * 3;
  const frames: Uint8Array[] = [];
  for (let i = 0; i < count; i += 1) {
    const frame = new Uint8Array(size * size * 3);
    for (let y = 0; y < size; y += 1) {
      const start = (y + (i >> 1)) * stride + i * 3;
      frame.set(base.subarray(start, start + size * 3), y * size * 3);
    }
    frames.push(frame);
  }
  return frames;
}

export async function ffmpegText(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run('ffmpeg', ['-nostdin', '-hide_banner', ...args], { maxBuffer: 64 * 1024 * 1024 });
}

/** Size and md5 of every video packet, in order (ffmpeg's framemd5 of a stream copy). */
export async function videoPacketDigests(path: string): Promise<string[]> {
  const { stdout } = await ffmpegText(['-v', 'error', '-i', path, '-map', '0:v:0', '-c', 'copy', '-f', 'framemd5', '-']);
  return stdout
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(',').slice(4).map((s) => s.trim()).join(' '));
}

/** Flags of every video packet in decode order ('K' marks keyframes). */
export async function videoPacketFlags(path: string): Promise<string[]> {
  const { stdout } = await run('ffprobe', [
    '-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=flags', '-of', 'csv=p=0', path,
  ]);
  return stdout.split('\n').filter((line) => line !== '');
}
