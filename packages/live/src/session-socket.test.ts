import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { createEngine, startRenderThreads, type Engine, type RenderThreads } from '@portrait-farm/engine';
import { createIdleMotion } from '@portrait-farm/motion';
import { prepareMeshwarp } from '@portrait-farm/renderer';
import { syntheticPortrait } from '@portrait-farm/renderer/testing';
import { STARTER_PACK } from '@portrait-farm/test-support/repo-models';
import { startLiveSession, type LiveFrame } from './live-session.ts';
import type { ServerMessage } from '@portrait-farm/contracts';
import { serveSessionSocket, type SessionSummary } from './session-socket.ts';
import { streamFeatures } from './stream-features.ts';
import { connectSession, until, type SessionClient } from './testing/session-client.ts';

const SIZE = 192;
const INPUT_RATE = 24_000;
const work = mkdtempSync(join(tmpdir(), 'pf-live-socket-'));
const portrait = syntheticPortrait(SIZE);
const prepared = prepareMeshwarp({ image: portrait, landmarks: portrait.landmarks });
let engine: Engine;
let threads: RenderThreads;
let server: WebSocketServer;
let url: string;
let served: Array<{ frames: LiveFrame[]; summary: Promise<SessionSummary> }> = [];

beforeAll(async () => {
  engine = await createEngine({ pack: STARTER_PACK, providers: ['cpu'] });
  threads = startRenderThreads(1);
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  url = `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
  server.on('connection', (socket) => {
    const frames: LiveFrame[] = [];
    const pool = threads.portrait(prepared);
    const summary = serveSessionSocket({
      socket,
      inputSampleRate: INPUT_RATE,
      width: SIZE,
      height: SIZE,
      fps: 25,
      idleTimeoutMs: 1500,
      start: (callbacks) =>
        startLiveSession({
          engine,
          pool,
          neutral: prepared.neutral,
          rest: createIdleMotion({ seed: 1, channelMean: engine.pack.channelMean, channelStd: engine.pack.channelStd }),
          features: () => streamFeatures(engine.audio.featureStream()),
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
}, 120_000);

afterAll(async () => {
  server?.close();
  await threads?.close();
  await engine?.close();
  rmSync(work, { recursive: true, force: true });
});

/** PCM16 at 24 kHz: silence with a 4 ms 2 kHz click every 400 ms from 213 ms on (not on a frame boundary). */
function clickTrack(seconds: number): { pcm: Buffer; clicks: number[] } {
  const n = Math.round(seconds * INPUT_RATE);
  const pcm = Buffer.alloc(n * 2);
  const clicks: number[] = [];
  for (let t = 0.213; t < seconds - 0.1; t += 0.4) {
    clicks.push(t);
    const start = Math.round(t * INPUT_RATE);
    for (let i = 0; i < 0.004 * INPUT_RATE; i++) pcm.writeInt16LE(Math.round(26000 * Math.sin((2 * Math.PI * 2000 * i) / INPUT_RATE)), (start + i) * 2);
  }
  return { pcm, clicks };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const connect = (): Promise<SessionClient> => connectSession(url);

/** Onsets (seconds) of clicks in 48 kHz float samples: the first loud sample after 100 ms of quiet. */
function onsets(samples: Float32Array, rate: number): number[] {
  const found: number[] = [];
  let quietSince = 0;
  for (let i = 0; i < samples.length; i++) {
    if (Math.abs(samples[i]!) > 0.2) {
      if (i - quietSince > 0.1 * rate) found.push(i / rate);
      quietSince = i;
    }
  }
  return found;
}

describe('session socket', () => {
  it('streams a click track in, paced, and each click plays with the frame made from it (within one frame) in the fMP4 it sends', async () => {
    const client = await connect();
    const { pcm, clicks } = clickTrack(2.4);
    const chunk = 0.02 * INPUT_RATE * 2;
    await until(() => client.texts.some((m) => m.type === 'ready'));
    for (let at = 0; at < pcm.length; at += chunk) {
      client.socket.send(pcm.subarray(at, at + chunk));
      await sleep(20);
    }
    client.socket.send(JSON.stringify({ type: 'audio_end' }));
    await until(() => client.texts.some((m) => m.type === 'playback_finished'));
    await sleep(300);
    client.socket.close();
    await client.closed;
    const { frames, summary } = served.at(-1)!;
    const result = await summary;
    expect(result.reason).toBe('client');

    const ready = client.texts.find((m) => m.type === 'ready')!;
    expect(ready).toMatchObject({ fps: 25, width: SIZE, height: SIZE, inputSampleRate: INPUT_RATE });
    expect((ready as { mimeType: string }).mimeType).toMatch(/^video\/mp4; codecs="avc1\.42C0[0-9A-F]{2}, ?opus"$/i);
    const file = join(work, 'session.mp4');
    writeFileSync(file, Buffer.concat(client.binaries));
    const decoded = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:a', '-ac', '1', '-ar', '48000', '-f', 'f32le', '-'], { maxBuffer: 1 << 28 });
    const heard = onsets(new Float32Array(decoded.buffer, decoded.byteOffset, decoded.length / 4), 48_000);
    expect(heard).toHaveLength(clicks.length);

    // Speech frame f of the utterance went out in slot s: a click at c seconds into the utterance must be heard at
    // s/25 + (c - f/25) seconds into the stream.
    const speech = frames.filter((f) => f.kind === 'speech');
    const slotOf = new Map(speech.map((f) => [f.speechFrame!, f.slot]));
    const offsets = clicks.map((c, k) => {
      const f = Math.floor(c * 25);
      return heard[k]! - (slotOf.get(f)! / 25 + (c - f / 25));
    });
    for (const offset of offsets) expect(Math.abs(offset)).toBeLessThan(1 / 25);
    // The video track holds every frame sent, one per slot from 0, without B-frames.
    const probed = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-of', 'json', '-select_streams', 'v:0', '-show_entries', 'frame=pts_time,pict_type', file], { encoding: 'utf8' })) as {
      frames: Array<{ pts_time: string; pict_type: string }>;
    };
    expect(probed.frames.length).toBeGreaterThanOrEqual(speech.at(-1)!.slot + 1);
    expect(probed.frames.slice(0, 20).map((f) => Number(f.pts_time))).toEqual([...Array(20).keys()].map((i) => i * 0.04));
    expect(probed.frames.some((f) => f.pict_type === 'B')).toBe(false);
    expect(result.latency.firstFrame.count).toBe(1);
    expect(client.texts.some((m) => m.type === 'stats')).toBe(true);
    console.log(`A/V offsets (ms): ${offsets.map((o) => (o * 1000).toFixed(1)).join(' ')}; latency ${JSON.stringify(result.latency)}`);
  }, 240_000);

  it('says what is wrong with a bad message and goes on; ends the session when the client goes quiet', async () => {
    const client = await connect();
    await until(() => client.texts.some((m) => m.type === 'ready'));
    client.socket.send('{"type":"dance"}');
    client.socket.send('not json');
    client.socket.send(JSON.stringify({ type: 'state', state: 'asleep' }));
    await until(() => client.texts.filter((m) => m.type === 'error').length === 3);
    const errors = client.texts.filter((m): m is Extract<ServerMessage, { type: 'error' }> => m.type === 'error');
    expect(errors.map((e) => e.code)).toEqual(['SESSION_BAD_MESSAGE', 'SESSION_BAD_MESSAGE', 'SESSION_BAD_MESSAGE']);
    expect(errors[0]!.message).toContain('"dance"');
    expect(errors[2]!.message).toContain('"asleep"');
    client.socket.send(JSON.stringify({ type: 'state', state: 'listening' }));
    await client.closed;
    const closed = client.texts.find((m) => m.type === 'closed');
    expect(closed).toMatchObject({ type: 'closed', reason: 'idle_timeout' });
    expect((closed as { seconds_streamed: number }).seconds_streamed).toBeGreaterThan(0.5);
    expect(served.at(-1)!.frames.some((f) => f.kind === 'listening')).toBe(true);
  }, 180_000);
});
