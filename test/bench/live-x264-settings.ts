// npx tsx --conditions=portrait-farm-source test/bench/live-x264-settings.ts --raw FILE [--rounds 3] [--width 512 --height 512]
//
// The live encoder's x264 settings by measured quality per bit and CPU: encodes a session's own pictures (yuv420p,
// from live-cpu-parts.ts --save-raw: rest, then speech) with LiveVideoEncoder's arguments (baseline, zerolatency,
// no B-frames, one thread) for each candidate, the candidates taking turns round by round. For each: ffmpeg's CPU
// per frame (median over rounds), bits per frame, and SSIM / PSNR against the pictures themselves.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { liveVideoArgs, resolveLiveVideoOptions, type LiveVideoEncoderOptions } from '@portrait-farm/live-media';
import { qualityAgainst, runFfmpegMeasured, type Quality } from './ffmpeg-measure.ts';

const { values } = parseArgs({
  options: {
    raw: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    width: { type: 'string', default: '512' },
    height: { type: 'string', default: '512' },
  },
});
if (values.raw === undefined) throw new Error('--raw FILE (yuv420p pictures of a session, from live-cpu-parts.ts --save-raw) is needed');
const width = Number(values.width);
const height = Number(values.height);
const fps = 25;
const frames = statSync(values.raw).size / ((width * height * 3) / 2);
const work = mkdtempSync(join(tmpdir(), 'live-x264-'));

type Candidate = { name: string; options: Partial<LiveVideoEncoderOptions> };
const candidates: Candidate[] = [
  { name: 'veryfast crf 23 (before)', options: {} },
  { name: 'superfast crf 23', options: { preset: 'superfast' } },
  { name: 'superfast crf 24', options: { preset: 'superfast', crf: 24 } },
  { name: 'superfast crf 25', options: { preset: 'superfast', crf: 25 } },
  { name: 'superfast crf 26', options: { preset: 'superfast', crf: 26 } },
  { name: 'ultrafast crf 23', options: { preset: 'ultrafast' } },
  { name: 'ultrafast crf 24', options: { preset: 'ultrafast', crf: 24 } },
  { name: 'faster crf 23', options: { preset: 'faster' } },
];

/** LiveVideoEncoder's own arguments, reading the file instead of stdin and writing an FLV file instead of stdout. */
function argsFor(candidate: Candidate, out: string): string[] {
  const args = liveVideoArgs(resolveLiveVideoOptions({ width, height, fps, ...candidate.options }));
  args[args.indexOf('pipe:0')] = values.raw!;
  args[args.lastIndexOf('pipe:1')] = out;
  return ['-y', ...args.filter((arg) => arg !== '-nostdin' && arg !== '-hide_banner')];
}

const cpu = new Map<string, number[]>();
const results = new Map<string, { bits: number; quality: Quality }>();
for (let round = 0; round < Number(values.rounds); round++) {
  for (const candidate of candidates) {
    const out = join(work, `${candidate.name.replace(/\W+/g, '-')}.flv`);
    const cost = await runFfmpegMeasured(argsFor(candidate, out));
    cpu.set(candidate.name, [...(cpu.get(candidate.name) ?? []), cost.cpuSeconds]);
    if (round === 0) results.set(candidate.name, { bits: (statSync(out).size * 8) / frames, quality: await qualityAgainst(out, { path: values.raw, width, height, fps }) });
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`${frames} frames ${width}x${height}, ${values.rounds} rounds; CPU: ffmpeg's CPU-ms per frame (median), bits per frame (FLV file), quality against the pictures`);
console.log('| settings | CPU ms/frame | bits/frame | SSIM All | PSNR Y |');
console.log('|---|---|---|---|---|');
for (const candidate of candidates) {
  const r = results.get(candidate.name)!;
  console.log(`| ${candidate.name} | ${((median(cpu.get(candidate.name)!) * 1000) / frames).toFixed(2)} | ${r.bits.toFixed(0)} | ${r.quality.ssimAll.toFixed(5)} | ${r.quality.psnrY.toFixed(2)} |`);
}
rmSync(work, { recursive: true, force: true });
