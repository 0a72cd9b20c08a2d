import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage } from '@portrait-farm/contracts';
import { connectSession, until, type SessionClient } from './testing/session-client.ts';
import { clickTrack as clickTrackAt, startTestSessionServer, type TestSessionServer } from './testing/session-server.ts';

const SIZE = 192;
const INPUT_RATE = 24_000;
const work = mkdtempSync(join(tmpdir(), 'pf-live-socket-'));
let sessions: TestSessionServer;
let served: TestSessionServer['served'];

beforeAll(async () => {
  sessions = await startTestSessionServer({ size: SIZE, inputSampleRate: INPUT_RATE, idleTimeoutMs: 1500 });
  served = sessions.served;
}, 120_000);

afterAll(async () => {
  await sessions?.close();
  rmSync(work, { recursive: true, force: true });
});

const clickTrack = (seconds: number): { pcm: Buffer; clicks: number[] } => clickTrackAt(seconds, INPUT_RATE);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const connect = (): Promise<SessionClient> => connectSession(sessions.url);

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
