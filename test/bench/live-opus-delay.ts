// npm run bench:live-opus [-- --seconds 10 --rounds 2]
// The live Opus encoder's per-packet delay as a session feeds it (docs/realtime.md, "Live media"): the demo speech at
// 16 kHz as Float32, 20 ms written every 20 ms. Per packet: delay = packet event - the write that completed the
// input it needed (its decoded end, pre-skip being the encoder's look-ahead). Also: construction (and the first 20 ms written) -> header event, and
// the main thread's time inside encode() per 20 ms (where the coding runs in-process, that is its cost).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { LiveAudioEncoder } from '@portrait-farm/live-media';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, rounds: { type: 'string', default: '2' } } });
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const SAMPLE_RATE = 16_000;
const CHUNK = SAMPLE_RATE / 50;
const fixtures = new URL('../fixtures/', import.meta.url).pathname;

function decodeSpeech(): Float32Array {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', join(fixtures, 'demo-speech-20s.ogg'), '-t', String(seconds), '-ac', '1', '-ar', String(SAMPLE_RATE), '-f', 'f32le', 'pipe:1'], { maxBuffer: 1 << 28 });
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
}

const percentile = (values: readonly number[], q: number): number => {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};

interface Run {
  delays: number[];
  headerMs: number;
  encodeCallMs: number[];
}

async function run(speech: Float32Array): Promise<Run> {
  const constructedAt = performance.now();
  const encoder = new LiveAudioEncoder({ sampleRate: SAMPLE_RATE, sampleFormat: 'f32' });
  const headerOut = new Promise<number>((resolve) => encoder.once('header', () => resolve(performance.now() - constructedAt)));
  const writes: Array<{ at: number; endSample: number }> = [];
  const delays: number[] = [];
  const encodeCallMs: number[] = [];
  encoder.on('packet', (packet) => {
    const now = performance.now();
    const needed = packet.startSample + packet.sampleCount;
    const write = writes.find((w) => w.endSample >= needed);
    if (write !== undefined) delays.push(now - write.at);
  });
  // An encoder that is a process writes its header once it has some input.
  writes.push({ at: performance.now(), endSample: (CHUNK * 48_000) / SAMPLE_RATE });
  await encoder.encode(speech.subarray(0, CHUNK));
  const headerMs = await headerOut;
  const start = performance.now() - 20;
  for (let at = CHUNK, i = 1; at < speech.length; at += CHUNK, i++) {
    const due = start + i * 20 - performance.now();
    if (due > 0) await sleep(due);
    const writtenAt = performance.now();
    writes.push({ at: writtenAt, endSample: ((at + CHUNK) * 48_000) / SAMPLE_RATE });
    await encoder.encode(speech.subarray(at, at + CHUNK));
    encodeCallMs.push(performance.now() - writtenAt);
  }
  await sleep(100);
  await encoder.close();
  // The first packet waited for the encoder to start; the last one for close().
  return { delays: delays.slice(1, -1), headerMs, encodeCallMs };
}

const speech = decodeSpeech();
const runs: Run[] = [];
for (let round = 0; round < rounds; round++) runs.push(await run(speech));
const delays = runs.flatMap((r) => r.delays);
const calls = runs.flatMap((r) => r.encodeCallMs);
console.log(`Live Opus encoder, ${SAMPLE_RATE / 1000} kHz Float32, 20 ms written every 20 ms for ${seconds} s, ${rounds} rounds`);
console.log(`written -> packet (ms): p50 ${percentile(delays, 0.5).toFixed(2)} / p95 ${percentile(delays, 0.95).toFixed(2)} / max ${Math.max(...delays).toFixed(2)} (${delays.length} packets)`);
console.log(`encode() call (ms): p50 ${percentile(calls, 0.5).toFixed(3)} / p95 ${percentile(calls, 0.95).toFixed(3)} / max ${Math.max(...calls).toFixed(3)}`);
console.log(`construction -> header (ms): ${runs.map((r) => r.headerMs.toFixed(1)).join(', ')}`);
