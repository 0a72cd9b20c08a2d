// npx tsx --conditions=portrait-farm-source test/bench/live-cpu-parts.ts [--rest 8 --speech 12 --threads 2 --save-raw FILE]
//
// Where a realtime session's CPU goes, per frame streamed, at rest and while speaking: one session served over a
// WebSocket on 127.0.0.1 exactly as live-latency.ts serves it (astronaut 512x512, 25 fps). The client waits --rest
// seconds with no audio, then sends --speech seconds of the demo speech paced in 20 ms chunks. Each phase's CPU is
// read from /proc per thread of this process (grouped by what the thread is) and per ffmpeg child (x264, Opus).
// --save-raw FILE writes the session's pictures (yuv420p, every frame from the first) to FILE, for live-x264-settings.ts.
import { closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { WebSocket, WebSocketServer } from 'ws';
import { createEngine, preparePortrait, startRenderThreads } from '@portrait-farm/engine';
import { decodeAudio } from '@portrait-farm/media';
import { createIdleMotion } from '@portrait-farm/motion';
import { prepareMeshwarp } from '@portrait-farm/renderer';
import { serveSessionSocket, startLiveSession, streamFeatures, type SessionSummary } from '@portrait-farm/live';
import { childPidsRunning } from './process-cpu.ts';

const { values } = parseArgs({
  options: {
    rest: { type: 'string', default: '8' },
    speech: { type: 'string', default: '12' },
    threads: { type: 'string', default: '2' },
    'save-raw': { type: 'string' },
  },
});
const restSeconds = Number(values.rest);
const speechSeconds = Number(values.speech);
const FPS = 25;
const TICKS_PER_SECOND = 100;
const fixtures = new URL('../fixtures/', import.meta.url).pathname;
const STARTER_PACK = new URL('../../models/starter/', import.meta.url).pathname;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** utime + stime of a /proc stat line, in ticks. */
function statTicks(path: string): number | null {
  let stat: string;
  try {
    stat = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Thread ids of this process now. */
function threadIds(): number[] {
  return readdirSync(`/proc/${process.pid}/task`).map(Number);
}

/** Threads are named by when they appeared: Node's own before the engine, ONNX Runtime's with it, the render threads'. */
const threadStage = new Map<number, string>();
function markNewThreads(stage: string): void {
  for (const tid of threadIds()) if (!threadStage.has(tid)) threadStage.set(tid, stage);
}

/** What a thread of this process is (the main thread by its id). */
function threadPart(tid: number): string {
  if (tid === process.pid) return 'main thread (planning, idle motion, socket, muxing, ONNX calls)';
  return threadStage.get(tid) ?? 'threads started later (libuv pool, ws)';
}

type Snapshot = Map<string, number>;

/** CPU ticks so far by part: this process's threads by name, each ffmpeg encoder by codec. */
function snapshot(): Snapshot {
  const parts: Snapshot = new Map();
  const add = (part: string, ticks: number | null): void => void (ticks !== null && parts.set(part, (parts.get(part) ?? 0) + ticks));
  for (const tid of threadIds()) {
    add(threadPart(tid), statTicks(`/proc/${process.pid}/task/${tid}/stat`));
  }
  for (const pid of childPidsRunning('ffmpeg')) {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    add(cmdline.includes('libx264') ? 'ffmpeg: x264 (video)' : cmdline.includes('libopus') ? 'ffmpeg: Opus (audio)' : 'ffmpeg: other', statTicks(`/proc/${pid}/stat`));
  }
  return parts;
}

/** CPU-ms per frame by part between two snapshots (threads that ended in between are lost: none do here). */
function perFrame(before: Snapshot, after: Snapshot, frames: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const [part, ticks] of after) out.set(part, (((ticks - (before.get(part) ?? 0)) * 1000) / TICKS_PER_SECOND) / frames);
  return out;
}

markNewThreads("Node's threads (V8 platform: GC, compiling)");
const engine = await createEngine({ pack: STARTER_PACK, providers: ['cpu'] });
markNewThreads('engine threads (ONNX Runtime: features, denoiser)');
const threads = startRenderThreads(Number(values.threads));
markNewThreads('render threads (retarget, warp, paint, marks, yuv420p)');
const portrait = await preparePortrait(engine, join(fixtures, 'astronaut.png'), { faceIndex: 0, faceBox: null, mode: 'crop', log: () => {} });
const prepared = prepareMeshwarp({ image: portrait.source.image, landmarks: portrait.source.landmarks });
const { width, height } = portrait.source.image;
markNewThreads('engine threads (ONNX Runtime: features, denoiser)');
const speech = (await decodeAudio(join(fixtures, 'demo-speech-20s.ogg'))).samples.subarray(0, speechSeconds * 16000);

const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
await new Promise((resolve) => server.once('listening', resolve));
let summary: Promise<SessionSummary> | null = null;
let framesOut = 0;
const raw = values['save-raw'] === undefined ? null : openSync(values['save-raw'], 'w');
server.on('connection', (socket) => {
  const pool = threads.portrait(prepared);
  summary = serveSessionSocket({
    socket,
    inputSampleRate: 16000,
    width,
    height,
    fps: FPS,
    start: (callbacks) =>
      startLiveSession({
        engine,
        pool,
        neutral: portrait.neutral,
        rest: createIdleMotion({ seed: 1, channelMean: engine.pack.channelMean, channelStd: engine.pack.channelStd }),
        features: () => streamFeatures(engine.audio.featureStream({})),
        ...callbacks,
        onFrame: async (frame) => {
          framesOut += 1;
          if (raw !== null) writeSync(raw, frame.picture);
          await callbacks.onFrame(frame);
        },
      }),
  });
  void summary.finally(() => pool.close());
});

const socket = new WebSocket(`ws://127.0.0.1:${(server.address() as { port: number }).port}`);
let ready = false;
let finished = false;
socket.on('message', (data, isBinary) => {
  if (isBinary) return;
  const message = JSON.parse(String(data)) as { type: string };
  if (message.type === 'ready') ready = true;
  if (message.type === 'playback_finished') finished = true;
});
await new Promise((resolve, reject) => {
  socket.once('open', resolve);
  socket.once('error', reject);
});
while (!ready) await sleep(5);
await sleep(1000); // past the start-up: ffmpeg and the render threads' first frames

const phases: Array<{ name: string; parts: Map<string, number>; frames: number; seconds: number }> = [];
let before = snapshot();
let framesBefore = framesOut;
let wallBefore = performance.now();
const endPhase = (name: string): void => {
  const after = snapshot();
  const frames = framesOut - framesBefore;
  phases.push({ name, parts: perFrame(before, after, frames), frames, seconds: (performance.now() - wallBefore) / 1000 });
  before = after;
  framesBefore = framesOut;
  wallBefore = performance.now();
};

await sleep(restSeconds * 1000);
endPhase('rest');

const pcm = Buffer.alloc(speech.length * 2);
for (let i = 0; i < speech.length; i++) pcm.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(speech[i]! * 32767))), i * 2);
const start = performance.now();
for (let at = 0; at < pcm.length; at += 640) {
  const due = start + (at / 32000) * 1000;
  if (due > performance.now()) await sleep(due - performance.now());
  socket.send(pcm.subarray(at, at + 640));
}
socket.send(JSON.stringify({ type: 'audio_end' }));
while (!finished) await sleep(5);
endPhase('speech');
socket.close();
const late = (await summary!).latency;

const names = [...new Set(phases.flatMap((p) => [...p.parts.keys()]))].sort();
console.log(`live session CPU by part: astronaut ${width}x${height}, ${FPS} fps, render threads ${values.threads}; CPU-ms per frame streamed`);
console.log(`| part | ${phases.map((p) => `${p.name} (${p.frames} frames, ${p.seconds.toFixed(1)} s)`).join(' | ')} |`);
console.log(`|---|${phases.map(() => '---').join('|')}|`);
for (const name of names) {
  const row = phases.map((p) => p.parts.get(name) ?? 0);
  if (row.every((v) => v < 0.05)) continue;
  console.log(`| ${name} | ${row.map((v) => v.toFixed(2)).join(' | ')} |`);
}
const totals = phases.map((p) => [...p.parts.values()].reduce((a, b) => a + b, 0));
console.log(`| **total** | ${totals.map((v) => v.toFixed(2)).join(' | ')} |`);
console.log(`CPU-s per second streamed: ${totals.map((v, i) => `${phases[i]!.name} ${((v * FPS) / 1000).toFixed(3)}`).join(', ')}`);
console.log(`late frames: ${late.late} of ${late.frames}; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
if (raw !== null) closeSync(raw);
server.close();
await threads.close();
await engine.close();
