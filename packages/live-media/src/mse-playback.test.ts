import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { LiveAudioEncoder } from './live-audio-encoder.ts';
import { LiveFmp4Stream } from './live-fmp4-stream.ts';
import { LiveVideoEncoder } from './live-video-encoder.ts';
import { msePlayerPage } from './testing/mse-player-page.ts';
import { clickTrack, INDEX_BITS, syntheticYuvFrame } from './testing/synthetic-media.ts';

// A live stream played in Debian's chromium (playwright-core): synthetic frames and a click track go through both
// live encoders and the muxer at 25 fps, paced like a session, over a WebSocket into a page that appends the
// fragments to one MSE SourceBuffer. The screenshot's path is printed: look at it after a change.

const CHROMIUM = process.env['PORTRAIT_FARM_CHROMIUM'] ?? '/usr/bin/chromium';
const SIZE = 512;
const FPS = 25;
const FRAMES = 100;
const SAMPLE_RATE = 16_000;
const START_BUFFER_SECONDS = 0.12;

interface PresentedFrame {
  now: number;
  /** When the frame was to be shown, on the wall clock (ms since the epoch), comparable with this process's. */
  wallClockMs: number;
  mediaTime: number;
  presentedFrames: number;
  expectedDisplayTime: number;
  index: number;
}

interface Playback {
  /** When each WebSocket message arrived (wall clock, ms): the init segment, then the fragments. */
  arrivals: number[];
  mimeType: string | null;
  supported: boolean | null;
  appended: number;
  frames: PresentedFrame[];
  waiting: Array<{ at: number; currentTime: number }>;
  errors: string[];
  started: number | null;
  ended: boolean;
  audioBytes: number;
}

let server: Server;
let browser: Browser;
let pageUrl = '';
/** When each frame went into the encoder, on the wall clock (ms since the epoch). */
const frameInWallClockMs: number[] = [];
const shots = mkdtempSync(join(tmpdir(), 'pf-live-mse-'));

/** What a session does, minus the engine: frames and sound on the session's clock into the encoders, segments out. */
async function streamTo(socket: WebSocket): Promise<void> {
  const video = new LiveVideoEncoder({ width: SIZE, height: SIZE, fps: FPS });
  const audio = new LiveAudioEncoder({ sampleRate: SAMPLE_RATE });
  const stream = new LiveFmp4Stream({
    width: SIZE, height: SIZE, fps: FPS, withAudio: true,
    onSegment: ({ kind, bytes, mimeType }) => {
      if (kind === 'init') socket.send(JSON.stringify({ mimeType }));
      socket.send(bytes);
    },
  });
  video.on('decoderConfig', (config) => stream.setDecoderConfig(config));
  video.on('accessUnit', (unit) => stream.addVideo(unit));
  audio.on('header', (head) => stream.setOpusHead(head));
  audio.on('packet', (packet) => stream.addAudio(packet));
  const sound = clickTrack(SAMPLE_RATE, FRAMES / FPS);
  const samplesPerFrame = SAMPLE_RATE / FPS;
  const encodeFrame = (i: number): Promise<unknown> => {
    frameInWallClockMs[i] = performance.timeOrigin + performance.now();
    return Promise.all([video.encode(syntheticYuvFrame(SIZE, SIZE, i)), audio.encode(sound.subarray(i * samplesPerFrame, (i + 1) * samplesPerFrame))]);
  };
  // ffmpeg takes a few hundred milliseconds to start and x264 starts with the first frame: the session's clock starts
  // once the first frame and sound are out, as a session primes its encoders when it is created.
  const firstOut = Promise.all([new Promise((resolve) => video.once('accessUnit', resolve)), new Promise((resolve) => audio.once('header', resolve))]);
  await encodeFrame(0);
  await firstOut;
  const start = performance.now() - 1000 / FPS;
  for (let i = 1; i < FRAMES; i++) {
    const due = start + (i * 1000) / FPS - performance.now();
    if (due > 0) await sleep(due);
    await encodeFrame(i);
  }
  await Promise.all([video.close(), audio.close()]);
  stream.finish();
  socket.close();
}

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url !== '/') {
      response.writeHead(404).end();
      return;
    }
    const { port } = server.address() as AddressInfo;
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(msePlayerPage({ streamUrl: `ws://127.0.0.1:${port}/stream`, width: SIZE, height: SIZE, indexBits: INDEX_BITS, startBufferSeconds: START_BUFFER_SECONDS, chaseLiveEdge: true }));
  });
  const sockets = new WebSocketServer({ server, path: '/stream' });
  sockets.on('connection', (socket) => void streamTo(socket).catch((error: unknown) => socket.close(1011, String(error).slice(0, 100))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  pageUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--autoplay-policy=no-user-gesture-required'] });
});

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

describe('a live fragmented-MP4 stream in headless Chromium (MSE)', () => {
  it('plays every frame in order, showing the picture its timestamp says, without stalls, with the sound decoded', async () => {
    const page = await browser.newPage({ viewport: { width: SIZE, height: SIZE + 40 } });
    await page.goto(pageUrl);
    await page.waitForFunction('window.playback.frames.length >= 40', undefined, { timeout: 20_000 }).catch(async (error: unknown) => {
      const seen = (await page.evaluate('JSON.stringify({ ...window.playback, frames: window.playback.frames.length, readyState: document.getElementById("video").readyState, currentTime: document.getElementById("video").currentTime, paused: document.getElementById("video").paused, buffered: [...Array(document.getElementById("video").buffered.length).keys()].map((i) => [document.getElementById("video").buffered.start(i), document.getElementById("video").buffered.end(i)]) })')) as string;
      throw new Error(`${String(error)}: the page saw ${seen}`);
    });
    const shot = join(shots, 'mse-playback.png');
    await page.screenshot({ path: shot });
    console.log(`screenshot: ${shot}`);
    await page.waitForFunction('window.playback.ended', undefined, { timeout: 20_000 });
    const playback = (await page.evaluate('window.playback')) as Playback;
    await page.close();
    const latencies = playback.frames.map((f) => f.wallClockMs - frameInWallClockMs[f.index]!).sort((a, b) => a - b);
    const at = (q: number): number => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!);
    // Frame 0 waited for both ffmpegs to start; from frame 1 on the figures are the steady ones.
    const percentiles = (values: number[]): string => {
      const sorted = values.slice().sort((a, b) => a - b);
      const at = (q: number): number => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
      return `p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms`;
    };
    const steady = playback.frames.filter((f) => f.index > 0);
    const arrivalLag = frameInWallClockMs.slice(1).map((inAt, i) => playback.arrivals[i + 2]! - inAt);
    const lastSecond = steady.filter((f) => f.index >= FRAMES - FPS);
    const wallSeconds = (playback.frames.at(-1)!.now - playback.frames[0]!.now) / 1000;
    console.log(
      `frame in -> fragment received: ${percentiles(arrivalLag)}; frame in -> shown: ${percentiles(steady.map((f) => f.wallClockMs - frameInWallClockMs[f.index]!))}` +
        ` (last second: ${percentiles(lastSecond.map((f) => f.wallClockMs - frameInWallClockMs[f.index]!))});` +
        ` ${(playback.frames.at(-1)!.mediaTime - playback.frames[0]!.mediaTime).toFixed(2)} s of media shown in ${wallSeconds.toFixed(2)} s`,
    );

    expect(playback.errors).toEqual([]);
    expect(playback.supported).toBe(true);
    expect(playback.mimeType).toMatch(/^video\/mp4; codecs="avc1\.42C0[0-9A-F]{2}, opus"$/);
    expect(playback.audioBytes).toBeGreaterThan(0);
    const frames = playback.frames;
    // Every frame of the stream was presented once, in order, showing the picture its timestamp says.
    expect(frames.at(-1)!.presentedFrames - frames[0]!.presentedFrames + 1).toBeGreaterThanOrEqual(FRAMES - 2);
    // requestVideoFrameCallback may skip a callback when the page is busy; presentedFrames still counts every frame.
    expect(frames.length).toBeGreaterThanOrEqual(FRAMES * 0.8);
    for (let i = 1; i < frames.length; i++) {
      expect(frames[i]!.mediaTime).toBeGreaterThan(frames[i - 1]!.mediaTime);
      expect(frames[i]!.presentedFrames).toBeGreaterThan(frames[i - 1]!.presentedFrames);
    }
    expect(frames.filter((f) => f.index !== Math.round(f.mediaTime * FPS))).toEqual([]);
    // No stall between the start and the end of the stream (play() itself fires one 'waiting' at time 0).
    expect(playback.waiting.filter((w) => w.currentTime > 0 && w.currentTime < FRAMES / FPS - 0.1)).toEqual([]);
  });
});
