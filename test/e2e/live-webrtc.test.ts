import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSessionServer, type TestSessionServer } from '@portrait-farm/live/testing/session-server';
import { FIXTURES } from './farm-harness.ts';

// A realtime session over WebRTC in Debian's Chromium: the page connects with transport=webrtc, answers the
// session's offer (werift on the server, ICE on 127.0.0.1), plays the stream in a <video>, sends 6 s of speech as
// PCM16 in real time, and reads what Chromium presented (requestVideoFrameCallback) and its getStats (every 250 ms:
// the A/V offset). It holds the picture for the sound as the demo page does (apps/live-demo av-sync.ts). Screenshots in
// out/live-demo/ (webrtc-*.png). werift needs Node >= 22: on older Node the test is skipped.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = join(ROOT, 'out', 'live-demo');
const CHROMIUM = process.env['PORTRAIT_FARM_CHROMIUM'] ?? '/usr/bin/chromium';
const SIZE = 256;
const WEBRTC_RUNS = Number(process.versions.node.split('.')[0]) >= 22;
/** Seconds after the peer connected from which the A/V offset is held to the target (the sender reports need ~2 s). */
const SYNC_WARM_UP_SECONDS = 2;
/** The A/V offset target (issue 18), ms either way. */
const AV_OFFSET_TARGET_MS = 40;
/**
 * How far past its usual time (the median) an Opus packet may leave and the sender still count as not held up (ms).
 * Held up longer, Chromium's audio jitter buffer grows for it for seconds and sync takes as long to follow.
 */
const SENDER_HELD_UP_MS = 60;
let server: TestSessionServer;
let browser: Browser;
let page: Page;
let demoServer: Server;
let demoUrl = '';

/** The page's policy as the gateway sends it (apps/gateway demo-routes.ts): WebRTC needs nothing more. */
const DEMO_PAGE_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob:; connect-src 'self' ws: wss:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/** apps/live-demo's page and compiled scripts at /demo, as the gateway serves them (without the API behind it). */
async function serveDemoPage(): Promise<void> {
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', join(ROOT, 'apps', 'live-demo', 'tsconfig.build.json')]);
  const types: Record<string, string> = { js: 'text/javascript', css: 'text/css', html: 'text/html' };
  demoServer = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://host').pathname;
    const name = path === '/demo' ? 'index.html' : /^\/demo\/assets\/([\w.-]+)$/.exec(path)?.[1];
    for (const dir of ['static', 'dist']) {
      if (name === undefined) break;
      try {
        const body = readFileSync(join(ROOT, 'apps', 'live-demo', dir, name));
        response.writeHead(200, { 'content-type': types[name.split('.').pop()!] ?? 'application/octet-stream', 'content-security-policy': DEMO_PAGE_POLICY }).end(body);
        return;
      } catch {
        // not in this folder
      }
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => demoServer.listen(0, '127.0.0.1', resolve));
  demoUrl = `http://127.0.0.1:${(demoServer.address() as { port: number }).port}/demo`;
}

beforeAll(async () => {
  if (!WEBRTC_RUNS) return;
  mkdirSync(SHOTS, { recursive: true });
  server = await startTestSessionServer({ size: SIZE, inputSampleRate: 16000, webrtc: { hostAddresses: ['127.0.0.1'] } });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns', '--autoplay-policy=no-user-gesture-required'],
  });
  page = await browser.newPage({ viewport: { width: 640, height: 400 } });
  await serveDemoPage();
}, 180_000);

afterAll(async () => {
  demoServer?.close();
  await browser?.close();
  await server?.close();
}, 60_000);

/** What the page kept (live-webrtc-page.js): every presented frame's callback, the session's messages, when speech went out. */
interface PageRecord {
  frames: Array<{ at: number; presentedFrames: number; rtpTimestamp: number | null; width: number; height: number }>;
  messages: Array<{ at: number; type: string; [key: string]: unknown }>;
  connectedAt: number | null;
  speechSentAt: number | null;
  errors: string[];
  samples: StatsSample[];
}

/** One getStats sample of the page (live-webrtc-page.js, every 250 ms): the sampled fields of each inbound-rtp. */
interface StatsSample {
  at: number;
  audio: Record<string, number>;
  video: Record<string, number>;
  /** The video receiver's jitterBufferTarget the page set (ms). */
  videoTargetMs: number | null;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
type Stats = Record<string, Record<string, number | string>>;
const inboundStats = (): Promise<Stats> => page.evaluate('inboundStats()') as Promise<Stats>;

/** Per sample: the A/V offset (ms, audio minus video estimatedPlayoutTimestamp: negative, the sound is late), and each jitter buffer over the 250 ms before it. */
function offsetSeries(record: PageRecord): Array<{ t: number; offset: number; videoTargetMs: number | null; audioBuffer: number; audioTarget: number; videoBuffer: number; audioJitter: number; videoJitter: number }> {
  return record.samples.slice(1).map((sample, i) => {
    const before = record.samples[i]!;
    const perEmitted = (kind: 'audio' | 'video', key: string): number =>
      ((sample[kind][key]! - before[kind][key]!) / (sample[kind]['jitterBufferEmittedCount']! - before[kind]['jitterBufferEmittedCount']!)) * 1000;
    return {
      t: (sample.at - record.connectedAt!) / 1000,
      offset: sample.audio['estimatedPlayoutTimestamp']! - sample.video['estimatedPlayoutTimestamp']!,
      videoTargetMs: sample.videoTargetMs,
      audioBuffer: perEmitted('audio', 'jitterBufferDelay'),
      audioTarget: perEmitted('audio', 'jitterBufferTargetDelay'),
      videoBuffer: perEmitted('video', 'jitterBufferDelay'),
      audioJitter: sample.audio['jitter']! * 1000,
      videoJitter: sample.video['jitter']! * 1000,
    };
  });
}

describe('a session over WebRTC in Chromium', () => {
  it.skipIf(!WEBRTC_RUNS)(`plays at 25 fps without long freezes, audio and video on one clock (Node >= 22; this is ${process.versions.node})`, async () => {
    const speech = execFileSync('ffmpeg', ['-v', 'error', '-stream_loop', '1', '-i', join(FIXTURES, 'speech-3s.wav'), '-ac', '1', '-ar', '16000', '-f', 's16le', 'pipe:1']);
    await page.setContent(`<body style="margin:0;background:#222"><video width="${SIZE}" height="${SIZE}" playsinline></video></body>`);
    // The demo page's rule for holding the picture for the sound, as compiled for it (its exports made globals).
    await page.addScriptTag({ content: readFileSync(join(ROOT, 'apps', 'live-demo', 'dist', 'av-sync.js'), 'utf8').replace(/^export /gm, '') });
    await page.addScriptTag({ path: join(ROOT, 'test', 'e2e', 'live-webrtc-page.js') });
    await page.evaluate(`startClient(${JSON.stringify(`${server.url}/?transport=webrtc`)})`);
    await page.waitForFunction('record.frames.length > 10', undefined, { timeout: 60_000 });
    await sleep(1000);
    await page.screenshot({ path: join(SHOTS, 'webrtc-idle.png') });
    const sending = page.evaluate(`sendSpeech(${JSON.stringify(speech.toString('base64'))})`);
    await sleep(2500);
    await page.screenshot({ path: join(SHOTS, 'webrtc-speaking.png') });
    const duringSpeech = await inboundStats();
    await sending;
    await page.waitForFunction(`record.messages.some((m) => m.type === 'playback_finished')`, undefined, { timeout: 60_000 });
    await sleep(1000);
    await page.screenshot({ path: join(SHOTS, 'webrtc-after.png') });
    const stats = await inboundStats();
    const record = (await page.evaluate('record')) as PageRecord;
    await page.evaluate('closeSession()');
    const { frames: served, summary } = server.served.at(-1)!;
    const result = await summary;

    expect(record.errors).toEqual([]);
    const types = record.messages.map((m) => m.type);
    expect(types.slice(0, 2)).toEqual(['webrtc_offer', 'ready']);
    expect(record.messages[1]).toMatchObject({ transport: 'webrtc', mimeType: null, width: SIZE, height: SIZE });
    expect(types).toContain('playback_started');

    // The presented frames: the picture's size, one per slot, at the worker's 25 fps, no long gap once playing.
    const frames = record.frames;
    expect(frames.at(-1)!).toMatchObject({ width: SIZE, height: SIZE });
    const steady = frames.filter((f) => f.at > frames[0]!.at + 1000);
    const presentedFps = ((steady.at(-1)!.presentedFrames - steady[0]!.presentedFrames) * 1000) / (steady.at(-1)!.at - steady[0]!.at);
    const gaps = steady.slice(1).map((f, i) => f.at - steady[i]!.at);

    // The first speech frame: its RTP timestamp is its slot's (3600 ticks of 90 kHz per slot).
    const firstSpeechSlot = served.find((f) => f.kind === 'speech')!.slot;
    const firstSpeechShown = frames.find((f) => f.rtpTimestamp !== null && f.rtpTimestamp >= firstSpeechSlot * 3600)!;
    const firstFrameMs = firstSpeechShown.at - record.speechSentAt!;
    const firstPictureMs = frames[0]!.at - record.connectedAt!;

    const video = stats['video']!;
    const audio = stats['audio']!;
    const num = (entry: Record<string, number | string>, key: string): number => Number(entry[key] ?? Number.NaN);
    const videoJitterMs = (num(video, 'jitterBufferDelay') / num(video, 'jitterBufferEmittedCount')) * 1000;
    const audioJitterMs = (num(audio, 'jitterBufferDelay') / num(audio, 'jitterBufferEmittedCount')) * 1000;
    const playoutOffsetMs = (snapshot: Stats): number =>
      num(snapshot['audio']!, 'estimatedPlayoutTimestamp') - num(snapshot['video']!, 'estimatedPlayoutTimestamp');
    console.log(
      `WebRTC in Chromium: presented ${presentedFps.toFixed(2)} fps, longest gap ${Math.max(...gaps).toFixed(0)} ms, ${frames.length} callbacks; ` +
        `first picture ${firstPictureMs.toFixed(0)} ms after connecting; first speech frame shown ${firstFrameMs.toFixed(0)} ms after the first byte sent ` +
        `(server first frame ${result.latency.firstFrame.p50} ms); video framesDecoded ${num(video, 'framesDecoded')}, framesDropped ${num(video, 'framesDropped')}, ` +
        `freezeCount ${num(video, 'freezeCount')} (${num(video, 'totalFreezesDuration')} s), jitter buffer ${videoJitterMs.toFixed(1)} ms, pli ${num(video, 'pliCount')}, nack ${num(video, 'nackCount')}; ` +
        `audio jitter buffer ${audioJitterMs.toFixed(1)} ms, concealed ${num(audio, 'concealedSamples')} of ${num(audio, 'totalSamplesReceived')}; ` +
        `estimatedPlayoutTimestamp audio - video: ${playoutOffsetMs(duringSpeech).toFixed(0)} ms speaking, ${playoutOffsetMs(stats).toFixed(0)} ms after`,
    );
    console.log(`getStats: ${JSON.stringify({ video, audio })}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    const series = offsetSeries(record);
    const settled = series.filter((p) => p.t >= SYNC_WARM_UP_SECONDS && Number.isFinite(p.offset));
    const at = (seconds: number): string => {
      const point = series.find((p) => p.t >= seconds);
      return point === undefined || !Number.isFinite(point.offset) ? 'none yet' : `${point.offset.toFixed(0)} ms`;
    };
    const offsets = settled.map((p) => p.offset).sort((a, b) => a - b);
    const medianOffset = offsets[Math.floor(offsets.length / 2)]!;
    const lateness = result.webrtc!.sendLateness;
    const heldUp = lateness.audio!.max - lateness.audio!.p50 > SENDER_HELD_UP_MS;
    const last = record.samples.at(-1)!.audio;
    console.log(
      `A/V offset (audio - video playout, from getStats every 250 ms, seconds after the peer connected): first at ${series.find((p) => Number.isFinite(p.offset))?.t.toFixed(2)} s; ` +
        `at 1 s ${at(1)}, 2 s ${at(2)}, 3 s ${at(3)}, 6 s ${at(6)}, 9 s ${at(9)}; from ${SYNC_WARM_UP_SECONDS} s: median ${medianOffset.toFixed(0)} ms, ` +
        `p5 ${offsets[Math.floor(offsets.length * 0.05)]!.toFixed(0)}, p95 ${offsets[Math.floor(offsets.length * 0.95)]!.toFixed(0)} (${offsets.length} samples); ` +
        `sender lateness against media time: video ${JSON.stringify(lateness.video)}, audio ${JSON.stringify(lateness.audio)}${heldUp ? ' (held up)' : ''}; ` +
        `audio samples received ${last['totalSamplesReceived']}, concealed ${last['concealedSamples']}, inserted ${last['insertedSamplesForDeceleration']}, removed ${last['removedSamplesForAcceleration']}`,
    );
    console.log(series.map((p) => `${p.t.toFixed(2)}s ${p.offset.toFixed(0)} T${p.videoTargetMs} a${p.audioBuffer.toFixed(0)}/${p.audioTarget.toFixed(0)} v${p.videoBuffer.toFixed(0)} j${p.audioJitter.toFixed(0)}/${p.videoJitter.toFixed(0)}`).join(', '));
    // Chromium decodes on the same 2 cores as the session renders: a loaded machine (CI) costs a few frames.
    expect(presentedFps).toBeGreaterThan(21);
    expect(presentedFps).toBeLessThan(26.5);
    expect(Math.max(...gaps)).toBeLessThan(500);
    expect(num(video, 'framesDecoded')).toBeGreaterThan(150);
    expect(num(video, 'freezeCount')).toBeLessThanOrEqual(2);
    expect(num(video, 'totalFreezesDuration')).toBeLessThan(1);
    expect(num(video, 'framesDropped')).toBeLessThan(10);
    // Both streams are mapped to one wall clock (the sender reports): Chromium reports a playout time for each.
    expect(Number.isFinite(playoutOffsetMs(stats))).toBe(true);
    // In sync from the start: the median offset after the warm-up within the target, where the sender was not held up
    // (on a busier machine the log above says so, with the figures).
    if (!heldUp) expect(Math.abs(medianOffset)).toBeLessThanOrEqual(AV_OFFSET_TARGET_MS);
  }, 240_000);

  it.skipIf(!WEBRTC_RUNS)(`the demo page plays a session over WebRTC (?stream=...&transport=webrtc; Node >= 22; this is ${process.versions.node})`, async () => {
    const demo = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    demo.on('pageerror', (error) => errors.push(error.message));
    await demo.goto(`${demoUrl}?stream=${encodeURIComponent(`${server.url}/v1/sessions/demo/stream?token=t`)}&transport=webrtc`);
    // The page's policy forbids eval: wait through locators, not waitForFunction.
    await demo.locator('#status').filter({ hasText: 'over WebRTC' }).waitFor({ timeout: 60_000 });
    await demo.locator('#audio-file').setInputFiles(join(FIXTURES, 'speech-3s.wav'));
    await demo.locator('#log').filter({ hasText: 'utterance 1 finished' }).waitFor({ timeout: 60_000 });
    await sleep(500);
    await demo.screenshot({ path: join(SHOTS, 'webrtc-demo.png') });
    const frames = await demo.locator('#fig-frames').textContent();
    const size = await demo.locator('#stream').evaluate((video: { videoWidth: number; videoHeight: number }) => [video.videoWidth, video.videoHeight]);
    await demo.close();
    expect(errors).toEqual([]);
    expect(size).toEqual([SIZE, SIZE]);
    expect(Number(/^(\d+) shown/.exec(frames ?? '')?.[1])).toBeGreaterThan(60);
    console.log(`demo page over WebRTC: ${frames}`);
  }, 120_000);
});
