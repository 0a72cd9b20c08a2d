import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGateway, type Gateway } from '@portrait-farm/gateway';
import { createEngine, type Engine } from '@portrait-farm/engine';
import { loadFarmConfig, type RunningWorkers } from '@portrait-farm/job-steps';
import { webRtcUnavailableReason } from '@portrait-farm/live';
import { startRenderWorkers } from '@portrait-farm/worker';
import { startRedisServer, uniquePrefix, type RedisServerProcess } from '@portrait-farm/test-support/redis-server';
import { STARTER_PACK } from '@portrait-farm/test-support/repo-models';
import { FIXTURES, freePort } from './farm-harness.ts';

// The realtime demo page (apps/live-demo) in Debian's chromium against a gateway and a worker on a real
// redis-server: the page lists the tenant's avatar, starts a session through POST /v1/sessions, sends the
// microphone (Chromium's fake capture device playing a speech file) and plays the stream through Media Source
// Extensions, then over WebRTC from the worker (Node.js >= 22). Screenshots go to out/live-demo/ (look at them after a
// change to the page).

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = join(ROOT, 'out', 'live-demo');
const CHROMIUM = process.env['PORTRAIT_FARM_CHROMIUM'] ?? '/usr/bin/chromium';
const API_KEY = 'e2e-demo-key-0001';
const work = mkdtempSync(join(tmpdir(), 'pf-e2e-demo-'));
let redis: RedisServerProcess;
let engine: Engine;
let gateway: Gateway;
let worker: RunningWorkers;
let browser: Browser;
let page: Page;
let apiUrl = '';

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  // The gateway serves the page's compiled scripts (apps/live-demo/dist).
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', join(ROOT, 'apps', 'live-demo', 'tsconfig.build.json')]);
  redis = await startRedisServer();
  const storageUrl = join(work, 'storage');
  const prefix = uniquePrefix('e2e-demo');
  const demoDirs = ['static', 'dist'].map((dir) => join(ROOT, 'apps', 'live-demo', dir));
  // The stream URL the page connects to is the gateway's own (its public URL).
  const port = await freePort();
  gateway = await buildGateway(
    { redisUrl: redis.url, storageUrl, publicBaseUrl: `http://127.0.0.1:${port}`, presignSecret: 'e2e-presign-secret-0123456789', apiKeys: { [API_KEY]: 'tenant-demo' }, prefix, faceCheck: false },
    { demoDirs },
  );
  apiUrl = await gateway.app.listen({ port, host: '127.0.0.1' });
  engine = await createEngine({ pack: STARTER_PACK, providers: ['cpu'] });
  worker = await startRenderWorkers(
    loadFarmConfig({
      PORTRAIT_FARM_REDIS_URL: redis.url,
      PORTRAIT_FARM_STORAGE_URL: storageUrl,
      PORTRAIT_FARM_PREFIX: prefix,
      PORTRAIT_FARM_PACK: STARTER_PACK,
      PORTRAIT_FARM_TEMP_DIR: work,
      PORTRAIT_FARM_SESSIONS_PER_WORKER: '1',
      PORTRAIT_FARM_SESSION_PORT: '0',
      PORTRAIT_FARM_SESSION_HOST: '127.0.0.1',
      PORTRAIT_FARM_WEBRTC_HOST_ADDRESSES: '127.0.0.1',
    }),
    { engine },
  );
  const form = new FormData();
  form.append('consent', JSON.stringify({ attestation: true }));
  form.append('image', new Blob([await readFile(join(FIXTURES, 'astronaut.png'))], { type: 'image/png' }), 'astronaut.png');
  const created = await fetch(`${apiUrl}/v1/avatars`, { method: 'POST', body: form, headers: { authorization: `Bearer ${API_KEY}` } });
  expect(created.status).toBe(201);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${join(FIXTURES, 'speech-3s.wav')}`,
      '--autoplay-policy=no-user-gesture-required',
      '--allow-loopback-in-peer-connection',
      '--disable-features=WebRtcHideLocalIpsWithMdns',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await worker?.close();
  await gateway?.close();
  await engine?.close();
  await redis?.close();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

const text = async (selector: string): Promise<string> => (await page.locator(selector).textContent()) ?? '';

/** A worker in this process can serve WebRTC (werift needs Node.js >= 22). */
const WEBRTC_RUNS = webRtcUnavailableReason() === null;

/** The page's flow: the tenant's avatar, a session on `transport`, 2.5 s of microphone speech, stop. */
async function speakThroughDemo(transport: 'fmp4' | 'webrtc'): Promise<void> {
  const shot = (name: string): string => join(SHOTS, transport === 'fmp4' ? `${name}.png` : `webrtc-farm-${name}.png`);
  const errors: string[] = [];
  const onPageError = (error: Error): void => void errors.push(error.message);
  page.on('pageerror', onPageError);
  await page.goto(`${apiUrl}/demo`);
  await page.fill('#key', API_KEY);
  await page.click('#load-avatars');
  await expect.poll(() => page.locator('#avatar option').count(), { timeout: 20_000 }).toBe(1);
  await page.selectOption('#transport', transport);
  await page.click('#start');
  await expect.poll(() => text('#status'), { timeout: 150_000 }).toContain(`Streaming 512x512 at 25 fps over ${transport === 'webrtc' ? 'WebRTC' : 'MSE'}`);
  await page.screenshot({ path: shot('idle') });

  await page.click('#mic');
  await expect.poll(() => text('#log'), { timeout: 150_000 }).toContain('utterance 1 started');
  await page.waitForTimeout(2500);
  await page.screenshot({ path: shot('speaking') });
  await page.click('#mic'); // stop: end of utterance
  await expect.poll(() => text('#log'), { timeout: 150_000 }).toContain('utterance 1 finished');
  await page.waitForTimeout(1200); // a stats message after the last frame

  const first = await text('#fig-first');
  expect(first).toMatch(/^\d+ ms$/);
  expect(await text('#fig-delay')).toMatch(/^p50 \d+ · p95 \d+ ms$/);
  expect(await text('#fig-late')).toMatch(/ of [\d,]+ \(/);
  expect(await text('#fig-behind')).toMatch(/^\d+ ms$/);
  const frames = await text('#fig-frames');
  const shown = Number(/^(\d+) shown/.exec(frames)?.[1]);
  // About 5 s of playing; fewer callbacks when the compositor of a loaded machine skips frames.
  expect(shown).toBeGreaterThan(50);
  // A string: this file is type-checked without the DOM library.
  const video = (await page.evaluate(
    `(() => { const v = document.querySelector('video'); return { width: v.videoWidth, height: v.videoHeight, paused: v.paused, time: v.currentTime, buffered: v.buffered.length > 0 ? v.buffered.end(v.buffered.length - 1) : 0, stream: v.srcObject !== null }; })()`,
  )) as { width: number; height: number; paused: boolean; time: number; buffered: number; stream: boolean };
  expect(video).toMatchObject({ width: 512, height: 512, paused: false, stream: transport === 'webrtc' });
  if (transport === 'fmp4') expect(video.buffered - video.time).toBeLessThan(1.5);
  await page.screenshot({ path: shot('after') });
  page.off('pageerror', onPageError);
  expect(errors).toEqual([]);

  await page.click('#stop');
  await expect.poll(() => text('#status'), { timeout: 20_000 }).toContain('Session closed');
  expect(await page.locator('#start').isEnabled()).toBe(true);
  console.log(`demo page (${transport}): first frame ${first}; audio -> frame ${await text('#fig-delay')}; late ${await text('#fig-late')}; behind ${await text('#fig-behind')}; ${frames}; shots in ${SHOTS}`);
}

describe('the realtime demo page', () => {
  it('starts a session on the tenant avatar, sends the microphone and plays the talking portrait with its latency figures', async () => {
    await speakThroughDemo('fmp4');
  }, 600_000);

  // The media goes from the worker to Chromium over UDP on 127.0.0.1; the offer and answer through the gateway's socket.
  it.skipIf(!WEBRTC_RUNS)('plays the same session over WebRTC from the worker, signalled through the gateway', async () => {
    await speakThroughDemo('webrtc');
  }, 600_000);
});
