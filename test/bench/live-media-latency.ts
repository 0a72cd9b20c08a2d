// npm run bench:live-media [-- --seconds 5 --rounds 3]
// The live encoders' latency and CPU at 512x512, 25 fps (docs/realtime.md, "Live media"). Frames: the astronaut
// portrait moving slowly (an ffmpeg crop along sines, yuv420p, decoded once into memory); sound: the demo speech at
// 16 and 24 kHz. The candidates take turns round by round in this one process (A, B, C, A, B, C...):
//  - paced: frames written at 25 fps as a session does; latency = access unit out - encode() called, p50/p95/max;
//  - burst: the same frames as fast as ffmpeg takes them: frames per wall second and per CPU second;
//  - audio: 20 ms of PCM16 written every 20 ms; latency = packet out - the write that completed its input (the first
//    packet left out); CPU = the time inside encode() (libopus runs in this process).
// ffmpeg's CPU comes from /proc (user + system), counted from the first output to the last, so start-up is left out.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Fmp4Muxer, LiveAudioEncoder, LiveVideoEncoder, type LiveVideoEncoderOptions, type VideoAccessUnit } from '@portrait-farm/live-media';
import { processCpuSeconds } from './process-cpu-seconds.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, rounds: { type: 'string', default: '3' } } });
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const SIZE = 512;
const FPS = 25;
const frameCount = seconds * FPS;
const fixtures = new URL('../fixtures/', import.meta.url).pathname;

function decodeFrames(): Uint8Array[] {
  const filter = `scale=560:560,crop=${SIZE}:${SIZE}:'24+20*sin(n/9)':'24+14*sin(n/13)',format=yuv420p`;
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-loop', '1', '-i', join(fixtures, 'astronaut.png'), '-vf', filter, '-frames:v', String(frameCount), '-f', 'rawvideo', 'pipe:1'], { maxBuffer: 1 << 30 });
  const bytes = (SIZE * SIZE * 3) / 2;
  return Array.from({ length: frameCount }, (_, i) => new Uint8Array(raw.buffer, raw.byteOffset + i * bytes, bytes));
}

function decodeSpeech(sampleRate: number): Int16Array {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', join(fixtures, 'demo-speech-20s.ogg'), '-t', String(seconds), '-ac', '1', '-ar', String(sampleRate), '-f', 's16le', 'pipe:1'], { maxBuffer: 1 << 28 });
  return new Int16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
}

const percentile = (values: readonly number[], q: number): number => {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const median = (values: readonly number[]): number => percentile(values, 0.5);

interface VideoRun {
  latencies: number[];
  cpuMsPerFrame: number;
  wallSeconds: number;
  kbitPerSecond: number;
}

async function runVideo(options: Partial<LiveVideoEncoderOptions>, frames: readonly Uint8Array[], paced: boolean): Promise<VideoRun> {
  const encoder = new LiveVideoEncoder({ width: SIZE, height: SIZE, fps: FPS, ...options });
  const sentAt: number[] = [];
  const latencies: number[] = [];
  let bytes = 0;
  let firstCpu = 0;
  let lastCpu = 0;
  let firstAt = 0;
  let lastAt = 0;
  const pid = encoder.pid ?? null;
  const allOut = new Promise<void>((resolve) => {
    encoder.on('accessUnit', (unit: VideoAccessUnit) => {
      const now = performance.now();
      latencies.push(now - sentAt[unit.index]!);
      bytes += unit.data.length;
      if (unit.index === 0) {
        firstCpu = processCpuSeconds([pid]);
        firstAt = now;
      }
      if (unit.index === frames.length - 1) {
        lastCpu = processCpuSeconds([pid]);
        lastAt = now;
        resolve();
      }
    });
  });
  // The first frame pays ffmpeg's and x264's start: the clock starts once it is out, as in a session.
  sentAt[0] = performance.now();
  await encoder.encode(frames[0]!);
  while (latencies.length === 0) await sleep(1);
  const start = performance.now() - 1000 / FPS;
  for (let i = 1; i < frames.length; i++) {
    if (paced) {
      const due = start + (i * 1000) / FPS - performance.now();
      if (due > 0) await sleep(due);
    }
    sentAt[i] = performance.now();
    await encoder.encode(frames[i]!);
  }
  await allOut;
  await encoder.close();
  return {
    latencies: latencies.slice(1),
    cpuMsPerFrame: ((lastCpu - firstCpu) * 1000) / (frames.length - 1),
    wallSeconds: (lastAt - firstAt) / 1000,
    kbitPerSecond: (bytes * 8) / 1000 / (frames.length / FPS),
  };
}

async function runAudio(sampleRate: number, speech: Int16Array): Promise<{ latencies: number[]; cpuMsPerSecond: number }> {
  const encoder = new LiveAudioEncoder({ sampleRate });
  const chunk = sampleRate / 50;
  const writes: Array<{ at: number; endSample: number }> = [];
  const latencies: number[] = [];
  let encodeMs = 0;
  encoder.on('packet', (packet) => {
    const now = performance.now();
    // The input this packet needed ends where its decoded sound ends (pre-skip is the encoder's look-ahead).
    const needed = packet.startSample + packet.sampleCount;
    const write = writes.find((w) => w.endSample >= needed);
    if (write !== undefined) latencies.push(now - write.at);
  });
  const start = performance.now();
  for (let at = 0, i = 0; at < speech.length; at += chunk, i++) {
    const due = start + i * 20 - performance.now();
    if (due > 0) await sleep(due);
    const writtenAt = performance.now();
    writes.push({ at: writtenAt, endSample: ((at + chunk) * 48_000) / sampleRate });
    await encoder.encode(speech.subarray(at, at + chunk));
    encodeMs += performance.now() - writtenAt;
  }
  await encoder.close();
  // The encoder codes in this process: its CPU is the time spent in encode().
  return { latencies: latencies.slice(1), cpuMsPerSecond: encodeMs / (speech.length / sampleRate) };
}

function muxerCost(units: number): number {
  const record = Buffer.from('0142c01effe100176742c01eda0200041a100000300010000030032 8f162ea001000468ce0fc8'.replace(/ /g, ''), 'hex');
  const muxer = new Fmp4Muxer({
    video: { width: SIZE, height: SIZE, fps: FPS, decoderConfig: { record, profile: 66, compatibility: 0xc0, level: 30, nalLengthBytes: 4, sequenceParameterSets: [], pictureParameterSets: [] } },
    audio: { head: { channels: 1, preSkip: 120, inputSampleRate: 16_000, outputGain: 0 } },
  });
  const data = Buffer.alloc(12_000, 7);
  const packet = Buffer.alloc(80, 3);
  const started = performance.now();
  for (let i = 0; i < units; i++) {
    muxer.fragment([{ index: i, ptsSeconds: i / FPS, keyframe: i % 50 === 0, data }], [
      { ptsSeconds: i * 0.04, durationSeconds: 0.02, startSample: i * 1920, sampleCount: 960, data: packet },
      { ptsSeconds: i * 0.04 + 0.02, durationSeconds: 0.02, startSample: i * 1920 + 960, sampleCount: 960, data: packet },
    ]);
  }
  return ((performance.now() - started) * 1000) / units;
}

const candidates: Array<{ name: string; options: Partial<LiveVideoEncoderOptions> }> = [
  { name: 'veryfast baseline 1 thread (default)', options: {} },
  { name: 'veryfast main 1 thread', options: { profile: 'main' } },
  { name: 'ultrafast baseline 1 thread', options: { preset: 'ultrafast' } },
  { name: 'veryfast baseline 2 threads', options: { threads: 2 } },
];

const frames = decodeFrames();
const paced = new Map<string, VideoRun[]>(candidates.map((c) => [c.name, []]));
const burst = new Map<string, VideoRun[]>(candidates.map((c) => [c.name, []]));
const speech = new Map([16_000, 24_000].map((rate) => [rate, decodeSpeech(rate)]));
const audio = new Map<number, Array<{ latencies: number[]; cpuMsPerSecond: number }>>([...speech.keys()].map((rate) => [rate, []]));
for (let round = 0; round < rounds; round++) {
  for (const candidate of candidates) {
    paced.get(candidate.name)!.push(await runVideo(candidate.options, frames, true));
    burst.get(candidate.name)!.push(await runVideo(candidate.options, frames, false));
  }
  for (const [rate, samples] of speech) audio.get(rate)!.push(await runAudio(rate, samples));
  console.error(`round ${round + 1}/${rounds} done`);
}

const baseline = median(burst.get(candidates[0]!.name)!.map((r) => r.cpuMsPerFrame));
console.log(`\nLive video, ${SIZE}x${SIZE} ${FPS} fps, ${frameCount} frames, ${rounds} rounds interleaved (medians over rounds)`);
console.log('| encoder | paced: latency p50 / p95 / max (ms) | paced: ffmpeg CPU ms/frame | burst: frames/s wall | burst: frames/CPU-s | CPU vs default | kbit/s |');
console.log('|---|---|---|---|---|---|---|');
for (const { name } of candidates) {
  const p = paced.get(name)!;
  const b = burst.get(name)!;
  const all = p.flatMap((r) => r.latencies);
  const burstCpu = median(b.map((r) => r.cpuMsPerFrame));
  console.log(
    `| ${name} | ${percentile(all, 0.5).toFixed(1)} / ${percentile(all, 0.95).toFixed(1)} / ${Math.max(...all).toFixed(1)} | ${median(p.map((r) => r.cpuMsPerFrame)).toFixed(2)} | ` +
      `${median(b.map((r) => (frameCount - 1) / r.wallSeconds)).toFixed(0)} | ${(1000 / burstCpu).toFixed(0)} | ${(burstCpu / baseline).toFixed(2)} | ${median(p.map((r) => r.kbitPerSecond)).toFixed(0)} |`,
  );
}
console.log(`\nLive audio (Opus 20 ms, lowdelay, 32 kbit/s), 20 ms of PCM16 written every 20 ms for ${seconds} s`);
console.log('| input | latency p50 / p95 / max (ms) | encode() ms per second of sound |');
console.log('|---|---|---|');
for (const [rate, runs] of audio) {
  const all = runs.flatMap((r) => r.latencies);
  console.log(`| ${rate / 1000} kHz | ${percentile(all, 0.5).toFixed(1)} / ${percentile(all, 0.95).toFixed(1)} / ${Math.max(...all).toFixed(1)} | ${median(runs.map((r) => r.cpuMsPerSecond)).toFixed(1)} |`);
}
console.log(`\nFmp4Muxer.fragment (one 12 kB access unit, two Opus packets): ${median([muxerCost(2000), muxerCost(2000), muxerCost(2000)]).toFixed(1)} µs per fragment`);
