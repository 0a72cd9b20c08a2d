// npm run bench:live [-- --help --seconds 12 --sessions 1 --mode paced|burst|both --hop 4 --lookahead 2 --steps 12
//   --feature-lookahead 120 --start-margin 60 --lead 80 --denoiser FILE --pack DIR --threads 2 --clicks --cold-threads]
// Realtime sessions measured from outside, as a client sees them: each session is served over a WebSocket on
// 127.0.0.1 exactly as a worker serves it (packages/live), on the astronaut (crop, 512x512, 25 fps). The client sends
// --seconds of real speech as PCM16 at 16 kHz, at once (burst) or in 20 ms chunks in real time (paced), then
// audio_end, and stamps every fMP4 fragment it receives. Printed per mode, as p50/p95/p99 in milliseconds:
// - first frame: the first audio byte sent -> the fragment of the utterance's first frame received;
// - audio -> frame: a frame's last audio sample sent -> its fragment received (the steady delay, paced);
// - the server's stages for the same frames (audio -> feature row -> motion -> rendered -> sent);
// - late frames (held because speech was late, or sent after their time) of all frames sent;
// - CPU seconds per second of stream (this process and its ffmpeg encoders).
// --sessions N runs N sessions at once (paced) to find how many one machine sustains in real time.
// --latency quality|low takes a session latency mode's settings (packages/live latencySettings, with the pack's model
// for sessions where the mode uses it); the flags above override them one by one.
// --pack DIR runs another model pack than models/starter.
// --denoiser FILE runs the motion of every session on that ONNX denoiser (same signature as the pack's) instead of
// the pack's.
// --save FILE writes the first paced session's stream (init segment and fragments) to FILE.mp4, to look at.
// --clicks also streams a click track and measures the A/V offset in the decoded fMP4 (clicks heard vs the frames
// made from them).
// --cold-threads starts the render threads without their warm-up poses (RenderThreadsOptions.warmUp), as before.
// --proxy puts the gateway's stream proxy (stream-proxy-process.ts, a process of its own) between the clients and
// the server, as a session through the farm has it.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { WebSocket, WebSocketServer } from 'ws';
import { createEngine, preparePortrait, startRenderThreads } from '@portrait-farm/engine';
import { decodeAudio } from '@portrait-farm/media';
import { createModelSession } from '@portrait-farm/model-runtime';
import { createIdleMotion } from '@portrait-farm/motion';
import { prepareMeshwarp } from '@portrait-farm/renderer';
import type { LiveLatencyMode } from '@portrait-farm/contracts';
import { latencySettings, percentiles, serveSessionSocket, startLiveSession, streamFeatures, type LiveFrame, type Percentiles, type SessionSummary } from '@portrait-farm/live';
import { childPidsRunning } from './process-cpu.ts';
import { processCpuSeconds } from './process-cpu-seconds.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '12' },
    sessions: { type: 'string', default: '1' },
    mode: { type: 'string', default: 'both' },
    hop: { type: 'string' },
    lookahead: { type: 'string' },
    steps: { type: 'string' },
    'feature-lookahead': { type: 'string' },
    'start-margin': { type: 'string' },
    'cold-threads': { type: 'boolean', default: false },
    lead: { type: 'string' },
    denoiser: { type: 'string' },
    pack: { type: 'string' },
    threads: { type: 'string', default: '2' },
    clicks: { type: 'boolean', default: false },
    save: { type: 'string' },
    latency: { type: 'string' },
    proxy: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  const usage = readFileSync(new URL(import.meta.url), 'utf8').split('\n').filter((line) => line.startsWith('//')).map((line) => line.slice(3));
  console.log(usage.join('\n'));
  process.exit(0);
}
const optional = (name: string): number | undefined => (values[name as keyof typeof values] === undefined ? undefined : Number(values[name as keyof typeof values]));
const seconds = Number(values.seconds);
const sessionCount = Number(values.sessions);
const fixtures = new URL('../fixtures/', import.meta.url).pathname;
const STARTER_PACK = new URL('../../models/starter/', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'live-bench-'));
const engine = await createEngine({ pack: values.pack ?? STARTER_PACK, providers: ['cpu'] });
const mode = values.latency === undefined ? null : latencySettings(values.latency as LiveLatencyMode, engine.pack.liveDenoiser);
const settings = {
  hopFrames: optional('hop') ?? mode?.hopFrames,
  lookaheadFrames: optional('lookahead') ?? mode?.lookaheadFrames,
  steps: optional('steps') ?? mode?.steps,
  startMarginMs: optional('start-margin') ?? mode?.startMarginMs,
  leadMs: optional('lead'),
};
const featureLookaheadMs = optional('feature-lookahead') ?? mode?.featureLookaheadMs;

const denoiser = values.denoiser !== undefined ? await createModelSession(values.denoiser, { providers: ['cpu'] }) : mode?.liveModel === true ? ((await engine.liveDenoiser()) ?? undefined) : undefined;
const threads = startRenderThreads(Number(values.threads), { warmUp: values['cold-threads'] !== true });
const portrait = await preparePortrait(engine, join(fixtures, 'astronaut.png'), { faceIndex: 0, faceBox: null, mode: 'crop', log: () => {} });
const prepared = prepareMeshwarp({ image: portrait.source.image, landmarks: portrait.source.landmarks });
const { width, height } = portrait.source.image;
const speech = (await decodeAudio(join(fixtures, 'demo-speech-20s.ogg'))).samples.subarray(0, seconds * 16000);

const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
await new Promise((resolve) => server.once('listening', resolve));
const direct = `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
const proxy = values.proxy ? spawn(process.execPath, [...process.execArgv, new URL('stream-proxy-process.ts', import.meta.url).pathname, direct], { stdio: ['ignore', 'pipe', 'inherit'] }) : null;
const url = proxy === null ? direct : `ws://127.0.0.1:${await new Promise<string>((resolve) => proxy.stdout!.once('data', (data: Buffer) => resolve(data.toString().trim())))}`;
if (proxy !== null) console.log(`through the stream proxy at ${url} (pid ${proxy.pid}) to ${direct}`);
// The proxy's start (tsx compiling it) is not what it costs a session.
const proxyCpuAtStart = proxy === null ? 0 : processCpuSeconds([proxy.pid!]);
const served: Array<{ frames: LiveFrame[]; summary: Promise<SessionSummary> }> = [];
server.on('connection', (socket) => {
  const frames: LiveFrame[] = [];
  const pool = threads.portrait(prepared);
  const summary = serveSessionSocket({
    socket,
    inputSampleRate: 16000,
    width,
    height,
    fps: 25,
    start: (callbacks) =>
      startLiveSession({
        engine,
        pool,
        neutral: portrait.neutral,
        rest: createIdleMotion({ seed: 1, channelMean: engine.pack.channelMean, channelStd: engine.pack.channelStd }),
        features: () => streamFeatures(engine.audio.featureStream(featureLookaheadMs === undefined ? {} : { lookaheadMs: featureLookaheadMs })),
        ...Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)),
        ...(denoiser === undefined ? {} : { denoiser }),
        ...callbacks,
        onFrame: async (frame) => {
          frames.push(frame);
          await callbacks.onFrame(frame);
        },
      }),
  });
  void summary.finally(() => pool.close());
  served.push({ frames, summary });
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function pcm16(samples: Float32Array): Buffer {
  const out = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(samples[i]! * 32767))), i * 2);
  return out;
}

interface ClientRun {
  /** performance.now() when each fragment (slot = index) arrived. */
  received: number[];
  /** [end sample (16 kHz), sent at] for each chunk sent. */
  sent: Array<[number, number]>;
  bytes: Buffer[];
  frames: LiveFrame[];
  summary: SessionSummary;
}

async function runClient(audio: Float32Array, paced: boolean): Promise<ClientRun> {
  const socket = new WebSocket(url);
  const received: number[] = [];
  const bytes: Buffer[] = [];
  let ready = false;
  let finished = false;
  socket.on('message', (data, isBinary) => {
    if (isBinary) {
      bytes.push(data as Buffer);
      if (bytes.length > 1) received.push(performance.now());
      return;
    }
    const message = JSON.parse(String(data)) as { type: string };
    if (message.type === 'ready') ready = true;
    if (message.type === 'playback_finished') finished = true;
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const entry = served.at(-1)!;
  while (!ready) await sleep(5);
  await sleep(1000); // idle first, as a session usually starts
  const pcm = pcm16(audio);
  const sent: Array<[number, number]> = [];
  const chunk = paced ? 640 : pcm.length; // 20 ms of PCM16 at 16 kHz
  const start = performance.now();
  for (let at = 0; at < pcm.length; at += chunk) {
    if (paced) {
      const due = start + (at / 32000) * 1000;
      if (due > performance.now()) await sleep(due - performance.now());
    }
    socket.send(pcm.subarray(at, at + chunk));
    sent.push([Math.min(pcm.length, at + chunk) / 2, performance.now()]);
  }
  socket.send(JSON.stringify({ type: 'audio_end' }));
  while (!finished) await sleep(5);
  await sleep(300);
  socket.close();
  return { received, sent, bytes, frames: entry.frames, summary: await entry.summary };
}

function ms(p: Percentiles): string {
  const f = (v: number | null): string => (v === null ? '-' : v.toFixed(0));
  return `p50 ${f(p.p50)}  p95 ${f(p.p95)}  p99 ${f(p.p99)}  (n ${p.count})`;
}

/** Client-side delays of a run: first frame and, per speech frame, its last sample sent -> its fragment received. */
function clientDelays(run: ClientRun): { firstFrame: number; audioToFrame: number[] } {
  const speech = run.frames.filter((f) => f.kind === 'speech');
  const sentAt = (sample: number): number => run.sent.find(([end]) => end >= sample)?.[1] ?? run.sent.at(-1)![1];
  const audioToFrame = speech.map((f) => run.received[f.slot]! - sentAt(Math.min(run.sent.at(-1)![0], (f.speechFrame! + 1) * 640)));
  return { firstFrame: run.received[speech[0]!.slot]! - run.sent[0]![1], audioToFrame };
}

async function measure(mode: 'paced' | 'burst', sessions: number): Promise<void> {
  const children = (): number[] => childPidsRunning('ffmpeg');
  const cpuBefore = processCpuSeconds([process.pid, ...children()]);
  const wallBefore = performance.now();
  const runs = await Promise.all(Array.from({ length: sessions }, (_, i) => sleep(i * 137).then(() => runClient(speech, mode === 'paced'))));
  const cpu = processCpuSeconds([process.pid]) - cpuBefore; // the encoders have exited and been waited for
  const streamed = runs.reduce((sum, r) => sum + r.summary.secondsStreamed, 0);
  const delays = runs.map(clientDelays);
  const late = runs.reduce((sum, r) => sum + r.summary.latency.late, 0);
  const held = runs.reduce((sum, r) => sum + r.summary.latency.held, 0);
  const lateSent = runs.reduce((sum, r) => sum + r.summary.latency.lateSent, 0);
  const frames = runs.reduce((sum, r) => sum + r.summary.latency.frames, 0);
  const server = runs[0]!.summary.latency;
  if (values.save !== undefined && mode === 'paced') writeFileSync(values.save, Buffer.concat(runs[0]!.bytes));
  console.log(`\n${mode}, ${sessions} session(s), ${seconds} s of speech each, wall ${((performance.now() - wallBefore) / 1000).toFixed(1)} s`);
  console.log(`  first frame (client)     ${ms(percentiles(delays.map((d) => d.firstFrame)))}`);
  console.log(`  audio -> frame (client)  ${ms(percentiles(delays.flatMap((d) => d.audioToFrame)))}`);
  console.log(`  server, session 1: audio -> row ${ms(server.features)}`);
  console.log(`                     row -> motion ${ms(server.motion)}`);
  console.log(`                     motion -> rendered ${ms(server.render)}`);
  console.log(`                     rendered -> sent ${ms(server.encodeAndSend)}`);
  console.log(`  late frames: ${late} of ${frames} (${((100 * late) / frames).toFixed(2)} %): held because speech was late ${held}, sent after their time ${lateSent}`);
  console.log(`  CPU: ${cpu.toFixed(1)} CPU-s for ${streamed.toFixed(1)} s streamed = ${(cpu / streamed).toFixed(3)} CPU-s per second of stream`);
}

async function clickOffsets(): Promise<void> {
  const rate = 16000;
  const audio = new Float32Array(Math.round(4 * rate));
  const clicks: number[] = [];
  for (let t = 0.213; t < 3.9; t += 0.4) {
    clicks.push(t);
    for (let i = 0; i < 64; i++) audio[Math.round(t * rate) + i] = 0.8 * Math.sin((2 * Math.PI * 2000 * i) / rate);
  }
  const run = await runClient(audio, true);
  const file = join(work, 'clicks.mp4');
  writeFileSync(file, Buffer.concat(run.bytes));
  const decoded = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:a', '-ac', '1', '-ar', '48000', '-f', 'f32le', '-'], { maxBuffer: 1 << 28 });
  const samples = new Float32Array(decoded.buffer, decoded.byteOffset, decoded.length / 4);
  const heard: number[] = [];
  let quietSince = 0;
  for (let i = 0; i < samples.length; i++) {
    if (Math.abs(samples[i]!) <= 0.2) continue;
    if (i - quietSince > 4800) heard.push(i / 48000);
    quietSince = i;
  }
  const slotOf = new Map(run.frames.filter((f) => f.kind === 'speech').map((f) => [f.speechFrame!, f.slot]));
  const offsets = clicks.map((c, k) => (heard[k]! - (slotOf.get(Math.floor(c * 25))! / 25 + (c - Math.floor(c * 25) / 25))) * 1000);
  console.log(`\nA/V offset (click heard - its frame's time), ms: ${offsets.map((o) => o.toFixed(1)).join(' ')} (${heard.length} of ${clicks.length} clicks heard)`);
}

console.log(`live sessions: astronaut crop ${width}x${height}, 25 fps, render threads ${values.threads}, settings ${JSON.stringify({ ...settings, featureLookaheadMs })}, motion model ${values.denoiser ?? (denoiser === undefined ? 'the pack\'s denoiser' : 'the pack\'s live_denoiser')}`);
try {
  if (values.mode === 'burst' || values.mode === 'both') await measure('burst', 1);
  if (values.mode === 'paced' || values.mode === 'both') await measure('paced', sessionCount);
  if (values.clicks) await clickOffsets();
} finally {
  server.close();
  if (proxy !== null) console.log(`\nthe stream proxy's process: ${(processCpuSeconds([proxy.pid!]) - proxyCpuAtStart).toFixed(2)} CPU-s while the sessions streamed`);
  proxy?.kill();
  await threads.close();
  await engine.close();
  rmSync(work, { recursive: true, force: true });
}
