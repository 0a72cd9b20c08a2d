import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { msePlayerPage } from './testing/mse-player-page.ts';
import { SyntheticBroadcast } from './testing/synthetic-broadcast.ts';
import { INDEX_BITS } from './testing/synthetic-media.ts';

// A live stream played in Debian's chromium (playwright-core): synthetic frames and a click track go through both
// live encoders and the muxer at 25 fps, paced like a session, over a WebSocket into pages that append the
// fragments to one MSE SourceBuffer: one viewer from the start, one joining after 2.4 s. The screenshot goes to
// out/live-media/mse-playback.png (its path is printed): look at it after a change.

const CHROMIUM = process.env['PORTRAIT_FARM_CHROMIUM'] ?? '/usr/bin/chromium';
const SIZE = 512;
const FPS = 25;
const FRAMES = 100;
/** The late viewer opens once the first has shown this many frames (the stream's IDRs are at frames 0 and 50). */
const JOIN_AFTER_FRAMES = 60;
/**
 * The pages' jitter buffer. The stream itself has no gap (a gap would stall at any buffer); 0.4 s keeps the
 * machine's own delays (fragments arrived up to 285 ms late with other work on the 2 cores) from passing for a
 * stall. The delays in docs/realtime.md were measured with 0.12 s.
 */
const START_BUFFER_SECONDS = 0.4;

interface PresentedFrame {
  now: number;
  /** When the frame was to be shown, on the wall clock (ms since the epoch), comparable with this process's. */
  wallClockMs: number;
  mediaTime: number;
  presentedFrames: number;
  expectedDisplayTime: number;
  /** The frame index read back from the picture. */
  index: number;
}

interface Playback {
  /** When each WebSocket message arrived (wall clock, ms): the init segment, then the fragments. */
  arrivals: number[];
  mimeType: string | null;
  supported: boolean | null;
  appended: number;
  frames: PresentedFrame[];
  /** Each 'waiting' event: when, where, how much was buffered ahead, and whether a seek was in progress. */
  waiting: Array<{ at: number; currentTime: number; ahead: number; seeking: boolean }>;
  errors: string[];
  started: number | null;
  /** The media time play() was called at. */
  startPosition: number | null;
  ended: boolean;
  audioBytes: number;
  /** getVideoPlaybackQuality() at the end: frames decoded, and of them the frames the compositor dropped. */
  quality: { total: number; dropped: number };
}

let server: Server;
let browser: Browser;
const broadcast = new SyntheticBroadcast({ size: SIZE, fps: FPS, frames: FRAMES, sampleRate: 16_000 });
/** Screenshots go to out/live-media/ at the repository's root, as the dashboard's go to out/dashboard/. */
const shots = fileURLToPath(new URL('../../../out/live-media/', import.meta.url));
let first: Playback;
let late: Playback;

async function openViewer(url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: SIZE, height: SIZE + 40 } });
  await page.goto(url);
  return page;
}

async function playbackWhenEnded(page: Page): Promise<Playback> {
  await page.waitForFunction('window.playback.ended', undefined, { timeout: 30_000 }).catch(async (error: unknown) => {
    const seen = (await page.evaluate('JSON.stringify({ ...window.playback, frames: window.playback.frames.length, currentTime: document.getElementById("video").currentTime })')) as string;
    throw new Error(`${String(error)}: the page saw ${seen}`);
  });
  const playback = (await page.evaluate('window.playback')) as Playback;
  await page.close();
  return playback;
}

function percentiles(values: readonly number[]): string {
  const sorted = values.slice().sort((a, b) => a - b);
  const at = (q: number): number => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
  return `p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms`;
}

function expectSmoothPlayback(playback: Playback, fromIndex: number): void {
  expect(playback.errors).toEqual([]);
  expect(playback.supported).toBe(true);
  expect(playback.mimeType).toMatch(/^video\/mp4; codecs="avc1\.42C0[0-9A-F]{2}, opus"$/);
  expect(playback.audioBytes).toBeGreaterThan(0);
  const frames = playback.frames;
  expect(frames[0]!.index).toBe(fromIndex);
  expect(frames.at(-1)!.index).toBe(FRAMES - 1);
  // Every frame from there to the end decoded; presented in order, each showing the picture its timestamp says. On
  // the loaded machine the compositor may drop a few (counted in `dropped`), and
  // requestVideoFrameCallback may skip a callback when the page is busy.
  expect(playback.quality.total).toBe(FRAMES - fromIndex);
  const presented = frames.at(-1)!.presentedFrames - frames[0]!.presentedFrames + 1;
  expect(presented).toBeLessThanOrEqual(FRAMES - fromIndex);
  expect(presented).toBeGreaterThanOrEqual(FRAMES - fromIndex - playback.quality.dropped);
  expect(playback.quality.dropped).toBeLessThanOrEqual((FRAMES - fromIndex) * 0.1);
  expect(frames.length).toBeGreaterThanOrEqual((FRAMES - fromIndex) * 0.7);
  for (let i = 1; i < frames.length; i++) {
    expect(frames[i]!.mediaTime).toBeGreaterThan(frames[i - 1]!.mediaTime);
    expect(frames[i]!.presentedFrames).toBeGreaterThan(frames[i - 1]!.presentedFrames);
  }
  expect(frames.filter((f) => f.index !== Math.round(f.mediaTime * FPS))).toEqual([]);
  // No stall between the start and the end of the stream. play() itself fires one 'waiting' where it starts, and the
  // late viewer's seek to its first keyframe may fire one while it completes (seeking, its 0.4 s buffered): those are
  // not stalls.
  expect(playback.startPosition).toBe(fromIndex / FPS);
  const stalls = playback.waiting.filter((w) => !w.seeking && w.currentTime > playback.startPosition! && w.currentTime < FRAMES / FPS - 0.1);
  expect(stalls).toEqual([]);
}

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url !== '/' && request.url !== '/?later') {
      response.writeHead(404).end();
      return;
    }
    const { port } = server.address() as AddressInfo;
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    const connectOnLoad = !request.url.endsWith('?later');
    response.end(msePlayerPage({ streamUrl: `ws://127.0.0.1:${port}/stream`, width: SIZE, height: SIZE, indexBits: INDEX_BITS, startBufferSeconds: START_BUFFER_SECONDS, chaseLiveEdge: true, connectOnLoad }));
  });
  new WebSocketServer({ server, path: '/stream' }).on('connection', (socket) => broadcast.addViewer(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--autoplay-policy=no-user-gesture-required'] });

  // The late viewer's page is loaded before the stream starts (a new page costs the loaded machine a lot of CPU).
  const latePage = await openViewer(`${url}?later`);
  const firstPage = await openViewer(url);
  await firstPage.waitForFunction(`window.playback.frames.length > 0 && window.playback.frames.at(-1).index >= ${JOIN_AFTER_FRAMES}`, undefined, { timeout: 30_000 });
  const shot = join(shots, 'mse-playback.png');
  await firstPage.screenshot({ path: shot });
  console.log(`screenshot: ${shot}`);
  await latePage.evaluate('window.connect()');
  [first, late] = await Promise.all([playbackWhenEnded(firstPage), playbackWhenEnded(latePage)]);

  // Frame 0 waited for both ffmpegs to start; from frame 1 on the figures are the steady ones.
  const frameIn = broadcast.frameInWallClockMs;
  const steady = first.frames.filter((f) => f.index > 0);
  const shownDelay = (frames: PresentedFrame[]): number[] => frames.map((f) => f.wallClockMs - frameIn[f.index]!);
  console.log(
    `frame in -> fragment received: ${percentiles(frameIn.slice(1).map((inAt, i) => first.arrivals[i + 2]! - inAt))};` +
      ` frame in -> shown: ${percentiles(shownDelay(steady))} (last second: ${percentiles(shownDelay(steady.filter((f) => f.index >= FRAMES - FPS)))});` +
      ` late viewer, frame in -> shown over its last second: ${percentiles(shownDelay(late.frames.filter((f) => f.index >= FRAMES - FPS)))};` +
      ` frames dropped by the compositor: ${first.quality.dropped} and ${late.quality.dropped}`,
  );
}, 90_000);

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

describe('a live fragmented-MP4 stream in headless Chromium (MSE)', () => {
  it('plays every frame in order, showing the picture its timestamp says, without stalls, with the sound decoded', () => {
    expectSmoothPlayback(first, 0);
  });

  it('plays for a viewer who joined late from the last keyframe on, the same way', () => {
    expect(late.frames[0]!.mediaTime).toBe(2);
    expectSmoothPlayback(late, 50);
  });
});
