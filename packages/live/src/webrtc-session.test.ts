import { execFileSync } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage } from '@portrait-farm/contracts';
import { connectSession, until } from './testing/session-client.ts';
import { clickTrack, startTestSessionServer, type TestSessionServer } from './testing/session-server.ts';
import { annexBStream, answerOffer, reassembleH264, type ReceivedRtp, type ReceivedSenderReport } from './testing/webrtc-receiver.ts';
import { WEBRTC_SEND_DELAY_MS } from './webrtc-output.ts';
import { nodeMajorVersion } from './webrtc-peer.ts';

// A session over WebRTC (transport=webrtc): a werift peer on the client's side answers the session's offer on
// 127.0.0.1, receives the RTP, puts the H.264 back together and decodes it with ffmpeg, and finds each click of a
// click track on the audio's RTP clock where the frame made from it is on the video's.

const SIZE = 192;
const INPUT_RATE = 24_000;
const WEBRTC_RUNS = nodeMajorVersion() >= 22;
let server: TestSessionServer;

beforeAll(async () => {
  server = await startTestSessionServer({ size: SIZE, inputSampleRate: INPUT_RATE, webrtc: { hostAddresses: ['127.0.0.1'] } });
}, 120_000);

afterAll(async () => {
  await server?.close();
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** A sender report's wall clock minus its RTP clock (s): the same for every report of streams in sync. */
function wallMinusMedia(report: ReceivedSenderReport, clockRate: number): number {
  return report.ntpSeconds - (report.rtpTimestamp | 0) / clockRate;
}

/**
 * The RTP times (s) of the Opus packets a click starts in: at 32 kbit/s digital silence codes to 3 bytes and the
 * quiet between clicks to about 65, a packet with a click's onset to over 100 (its size jumps by half).
 */
function clickPackets(audio: ReceivedRtp[]): number[] {
  const inOrder = [...audio].sort((a, b) => (a.timestamp | 0) - (b.timestamp | 0));
  return inOrder.filter((packet, i) => i > 0 && packet.payload.length > 100 && packet.payload.length > 1.5 * inOrder[i - 1]!.payload.length).map((packet) => (packet.timestamp | 0) / 48_000);
}

describe('a session over WebRTC', () => {
  it.skipIf(!WEBRTC_RUNS)(`sends H.264 at 25 fps and Opus on one clock to a werift peer (Node >= 22; this is ${process.versions.node})`, async () => {
    const client = await connectSession(`${server.url}/?transport=webrtc`);
    const offer = await client.next('webrtc_offer');
    expect(offer.sdp).toMatch(/a=rtpmap:\d+ H264\/90000/);
    expect(offer.sdp).toContain('profile-level-id=42e01f;packetization-mode=1');
    expect(offer.sdp).toMatch(/a=rtpmap:\d+ opus\/48000\/2/);
    expect(offer.sdp).toContain('a=sendonly');
    expect(offer.sdp).toMatch(/a=candidate:.* 127\.0\.0\.1 \d+ typ host/);
    const receiver = await answerOffer(offer.sdp);
    client.socket.send(JSON.stringify({ type: 'webrtc_answer', sdp: receiver.answer }));
    const ready = await client.next('ready');
    expect(ready).toMatchObject({ transport: 'webrtc', mimeType: null, fps: 25, width: SIZE, height: SIZE });
    await receiver.connected;

    // The session, its sender and this receiver share one event loop: how long it was held up while streaming.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const { pcm, clicks } = clickTrack(3.2, INPUT_RATE);
    const chunk = 0.02 * INPUT_RATE * 2;
    for (let at = 0; at < pcm.length; at += chunk) {
      client.socket.send(pcm.subarray(at, at + chunk));
      await sleep(20);
    }
    client.socket.send(JSON.stringify({ type: 'audio_end' }));
    await client.next('playback_finished', 60_000);
    loopDelay.disable();
    await sleep(1500);
    client.socket.close();
    const { frames, summary } = server.served.at(-1)!;
    const result = await summary;
    await receiver.close();
    expect(client.binaries).toHaveLength(0);

    // Every frame sent arrived, in order, 3600 ticks of 90 kHz apart from 0, and decodes.
    const units = reassembleH264(receiver.video);
    const framesSent = Math.round(result.secondsStreamed * 25);
    expect(units.length).toBeGreaterThanOrEqual(framesSent - 1);
    expect(units.map((unit) => unit.timestamp)).toEqual(units.map((_, i) => i * 3600));
    // The parameter sets, then the IDR slice (x264's SEI between them).
    expect(units[0]!.nalUnits.map((nal) => nal[0]! & 0x1f).filter((type) => type !== 6)).toEqual([7, 8, 5]);
    const decoded = execFileSync('ffmpeg', ['-v', 'error', '-f', 'h264', '-i', 'pipe:0', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], { input: annexBStream(units), maxBuffer: 1 << 28 });
    expect(decoded.length).toBe(units.length * SIZE * SIZE);

    // At 25 fps: the worker's clock paces the frames (from the second: the first waits for the connection).
    const intervals = units.slice(2).map((unit, i) => unit.arrivalMs - units[i + 1]!.arrivalMs);
    const meanInterval = (units.at(-1)!.arrivalMs - units[1]!.arrivalMs) / (units.length - 2);
    expect(meanInterval).toBeGreaterThan(38);
    expect(meanInterval).toBeLessThan(42);
    expect(median(intervals)).toBeGreaterThan(30);
    expect(median(intervals)).toBeLessThan(50);

    // Each click is in the Opus packet whose RTP time holds the slot of the frame made from it (as in the fMP4).
    const speech = frames.filter((f) => f.kind === 'speech');
    const slotOf = new Map(speech.map((f) => [f.speechFrame!, f.slot]));
    const heard = clickPackets(receiver.audio);
    expect(heard).toHaveLength(clicks.length);
    const offsets = clicks.map((c, k) => {
      const f = Math.floor(c * 25);
      const expected = slotOf.get(f)! / 25 + (c - f / 25);
      return expected - heard[k]!;
    });
    // A 20 ms packet starting at most 20 ms before the click (its first loud one may start 2.5 ms early: overlap).
    for (const offset of offsets) {
      expect(offset).toBeGreaterThan(-0.003);
      expect(offset).toBeLessThan(0.02);
    }

    // Sender reports map both RTP clocks to one wall clock: every report of either stream gives the same
    // wall-minus-media offset (werift's own reports, turned off, put it up to a second off: sender-reports.ts).
    expect(receiver.reports.video.length).toBeGreaterThan(1);
    expect(receiver.reports.audio.length).toBeGreaterThan(1);
    const reportOffsets = [
      ...receiver.reports.video.map((report) => wallMinusMedia(report, 90_000)),
      ...receiver.reports.audio.map((report) => wallMinusMedia(report, 48_000)),
    ];
    const syncSpread = Math.max(...reportOffsets) - Math.min(...reportOffsets);
    expect(syncSpread).toBeLessThan(0.002);
    // And the frames arrive on that clock (loopback): they leave the pacer's delay after their time on it, half of
    // them arrive within 30 ms of that.
    const lateness = units.map((unit) => unit.arrivalMs / 1000 + performance.timeOrigin / 1000 + 2_208_988_800 - unit.timestamp / 90_000 - reportOffsets[0]!);
    expect(median(lateness)).toBeGreaterThan((WEBRTC_SEND_DELAY_MS - 1) / 1000);
    expect(median(lateness)).toBeLessThan((WEBRTC_SEND_DELAY_MS + 30) / 1000);
    // How evenly the sound arrives: each packet's arrival against its RTP time, from the earliest (a receiver's
    // jitter buffer must hold the spread).
    const soundArrival = receiver.audio.map((packet) => packet.arrivalMs - (packet.timestamp | 0) / 48);
    const soundSpread = soundArrival.map((at) => at - Math.min(...soundArrival)).sort((a, b) => a - b);
    const spreadAt = (q: number): string => soundSpread[Math.floor(q * (soundSpread.length - 1))]!.toFixed(1);
    // Paced, every 20 ms: sent as the encoder handed them out (in pairs), half of them arrived 20 ms late.
    expect(soundSpread[Math.floor(0.5 * (soundSpread.length - 1))]!).toBeLessThan(10);
    console.log(
      `WebRTC (werift receiver): Opus arrival spread p50 ${spreadAt(0.5)} / p95 ${spreadAt(0.95)} / max ${spreadAt(1)} ms; ` +
        `${units.length} frames, mean interval ${meanInterval.toFixed(2)} ms, median ${median(intervals).toFixed(1)} ms, ` +
        `max ${Math.max(...intervals).toFixed(1)} ms; ${receiver.audio.length} Opus packets; click offsets (ms) ${offsets.map((o) => (o * 1000).toFixed(1)).join(' ')}; ` +
        `sender reports ${receiver.reports.video.length} video / ${receiver.reports.audio.length} audio, offsets within ${(syncSpread * 1000).toFixed(2)} ms; ` +
        `frames after their time on the reports' clock p50 ${(median(lateness) * 1000).toFixed(1)} ms, max ${(Math.max(...lateness) * 1000).toFixed(1)} ms; ` +
        `first frame ${result.latency.firstFrame.p50} ms; event loop held up p50 ${(loopDelay.percentile(50) / 1e6).toFixed(1)} / p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} / max ${(loopDelay.max / 1e6).toFixed(1)} ms`,
    );
  }, 180_000);

  it.skipIf(WEBRTC_RUNS)(`on Node < 22 says WebRTC cannot run and goes on over fMP4 (this is ${process.versions.node})`, async () => {
    const client = await connectSession(`${server.url}/?transport=webrtc`);
    const error = await client.next('error');
    expect(error.code).toBe('SESSION_WEBRTC_UNAVAILABLE');
    expect(error.message).toContain('WebRTC needs Node.js >= 22');
    const ready = await client.next('ready');
    expect(ready).toMatchObject({ transport: 'fmp4', fps: 25 });
    expect(ready.mimeType).toMatch(/^video\/mp4/);
    await until(() => client.binaries.length > 3);
    expect(client.texts.some((m: ServerMessage) => m.type === 'webrtc_offer')).toBe(false);
    client.socket.close();
    await client.closed;
  }, 120_000);

  it('refuses a webrtc_answer on an fMP4 session and goes on', async () => {
    const client = await connectSession(server.url);
    await client.next('ready');
    client.socket.send(JSON.stringify({ type: 'webrtc_answer', sdp: 'v=0\r\n' }));
    const error = await client.next('error');
    expect(error).toMatchObject({ code: 'SESSION_BAD_MESSAGE', message: 'webrtc_answer: this session was not offered WebRTC (connect with transport=webrtc)' });
    client.socket.close();
    await client.closed;
  }, 120_000);
});
