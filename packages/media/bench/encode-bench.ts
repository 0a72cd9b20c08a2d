// Encode speed and quality of x264 presets on this machine, through createVideoEncoder (Node -> ffmpeg stdin).
// Usage: npx tsx packages/media/bench/encode-bench.ts [--size 512] [--frames 250] [--presets a,b,c] [--threads N]
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import sharp from 'sharp';
import { createVideoEncoder, type X264Preset } from '../src/index.ts';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '512' },
    frames: { type: 'string', default: '250' },
    presets: { type: 'string', default: 'superfast,veryfast,faster' },
    fps: { type: 'string', default: '25' },
    motion: { type: 'string', default: 'head' },
    repeat: { type: 'string', default: '2' },
  },
});
const size = Number(values.size);
const count = Number(values.frames);
const fps = Number(values.fps);
const presets = values.presets.split(',') as X264Preset[];
const run = promisify(execFile);

/** A still portrait whose face region moves a few pixels, like a talking head: the background stays put. */
async function talkingHeadFrames(): Promise<Uint8Array[]> {
  const portrait = fileURLToPath(new URL('../../../test/fixtures/astronaut.png', import.meta.url));
  const base = await sharp(portrait).removeAlpha().resize(size, size).raw().toBuffer();
  const box = { x: Math.round(size * 0.3), y: Math.round(size * 0.12), w: Math.round(size * 0.4), h: Math.round(size * 0.45) };
  const frames: Uint8Array[] = [];
  for (let i = 0; i < count; i += 1) {
    const frame = Uint8Array.from(base);
    const dx = Math.round(4 * Math.sin(i / 7));
    const dy = Math.round(3 * Math.sin(i / 5 + 1));
    for (let y = box.y; y < box.y + box.h; y += 1) {
      const from = ((y + dy) * size + box.x + dx) * 3;
      frame.set(base.subarray(from, from + box.w * 3), (y * size + box.x) * 3);
    }
    frames.push(frame);
  }
  return frames;
}

/** The whole picture pans and zooms slowly: harder for the encoder than any talking head. */
async function panFrames(): Promise<Uint8Array[]> {
  const portrait = fileURLToPath(new URL('../../../test/fixtures/astronaut.png', import.meta.url));
  const margin = Math.round(size * 0.1);
  const big = await sharp(portrait).removeAlpha().resize(size + margin, size + margin).raw().toBuffer();
  const stride = (size + margin) * 3;
  const frames: Uint8Array[] = [];
  for (let i = 0; i < count; i += 1) {
    const frame = new Uint8Array(size * size * 3);
    const ox = Math.round((margin / 2) * (1 + Math.sin(i / 20)));
    const oy = Math.round((margin / 2) * (1 + Math.sin(i / 31)));
    for (let y = 0; y < size; y += 1) {
      const from = (y + oy) * stride + ox * 3;
      frame.set(big.subarray(from, from + size * 3), y * size * 3);
    }
    frames.push(frame);
  }
  return frames;
}

const dir = mkdtempSync(join(tmpdir(), 'pf-encode-bench-'));
try {
  const frames = values.motion === 'pan' ? await panFrames() : await talkingHeadFrames();
  const reference = join(dir, 'reference.rgb');
  writeFileSync(reference, Buffer.concat(frames));
  console.log(`${count} frames ${size}x${size} at ${fps} fps, motion ${values.motion}; x264 threads fixed by H264_SETTINGS`);
  console.log('preset      encode fps   kbit/s   PSNR dB   SSIM');
  for (const preset of presets) {
    const out = join(dir, `${preset}.mp4`);
    // The machine is shared: keep the fastest of a few runs.
    let seconds = Number.POSITIVE_INFINITY;
    for (let attempt = 0; attempt < Number(values.repeat); attempt += 1) {
      const started = performance.now();
      const encoder = createVideoEncoder({ out, width: size, height: size, fps, preset, mode: 'chunk' });
      for (const frame of frames) await encoder.write(frame);
      await encoder.finish();
      seconds = Math.min(seconds, (performance.now() - started) / 1000);
    }
    const kbps = (statSync(out).size * 8) / 1000 / (count / fps);
    const { stderr } = await run('ffmpeg', [
      '-nostdin', '-hide_banner', '-i', out, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${size}x${size}`, '-r', String(fps),
      '-i', reference, '-lavfi',
      // Codec loss only: the reference goes through the encoder's own RGB -> YUV 4:2:0 (BT.709) conversion.
      '[1:v]scale=out_color_matrix=bt709:out_range=tv,format=yuv420p,split[r1][r2];[0:v]split[e1][e2];' +
        '[e1][r1]psnr;[e2][r2]ssim',
      '-f', 'null', '-',
    ]).catch((error: { stderr: string }) => ({ stderr: error.stderr }));
    const psnr = /PSNR .*average:([\d.]+)/.exec(stderr)?.[1] ?? '?';
    const ssim = /SSIM .*All:([\d.]+)/.exec(stderr)?.[1] ?? '?';
    console.log(
      `${preset.padEnd(10)} ${(count / seconds).toFixed(0).padStart(10)} ${kbps.toFixed(0).padStart(8)} ${psnr.padStart(9)} ${ssim.padStart(7)}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
