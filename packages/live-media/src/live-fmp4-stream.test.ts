import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveFmp4Stream } from './live-fmp4-stream.ts';
import { encodeSyntheticAv, type SyntheticAv } from './testing/encode-synthetic.ts';
import { findBox, readBoxes } from './testing/mp4-boxes.ts';

const FRAMES = 50;
const work = mkdtempSync(join(tmpdir(), 'pf-live-fmp4-'));
let av: SyntheticAv;
let segments: Array<{ kind: 'init' | 'fragment'; bytes: Buffer }>;
let file: string;
/** What a viewer joining after the last frame went in would get. */
let joined: Buffer[];

interface ProbedPacket {
  codec_type: string;
  pts: number;
  dts: number;
  flags: string;
}

function probe(args: string[]): unknown {
  return JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-of', 'json', ...args, file], { encoding: 'utf8' }));
}

beforeAll(async () => {
  av = await encodeSyntheticAv({ width: 128, height: 96, fps: 25, frames: FRAMES, sampleRate: 16_000, keyframeIntervalSeconds: 0.8 });
  segments = [];
  const stream = new LiveFmp4Stream({ width: 128, height: 96, fps: 25, withAudio: true, onSegment: (s) => segments.push(s) });
  // As a session would: the parameter sets and header first, then audio running ahead of video.
  stream.setDecoderConfig(av.decoderConfig);
  stream.setOpusHead(av.opusHead);
  for (const packet of av.packets) stream.addAudio(packet);
  for (const unit of av.units) stream.addVideo(unit);
  joined = stream.joinSegments();
  stream.finish();
  file = join(work, 'stream.mp4');
  writeFileSync(file, Buffer.concat(segments.map((s) => s.bytes)));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('LiveFmp4Stream', () => {
  it('sends the init segment, then one fragment per frame, each with the sound that starts before its frame ends', () => {
    expect(segments[0]!.kind).toBe('init');
    const fragments = segments.slice(1);
    expect(fragments.length).toBeGreaterThanOrEqual(FRAMES);
    for (const [i, fragment] of fragments.slice(0, FRAMES).entries()) {
      const trafs = readBoxes(fragment.bytes)[0]!.children.filter((b) => b.type === 'traf');
      expect(findBox(trafs[0]!.children, 'tfdt').content.readBigUInt64BE(4)).toBe(BigInt(i * 3600));
      const audioStart = trafs[1] === undefined ? null : Number(findBox(trafs[1].children, 'tfdt').content.readBigUInt64BE(4));
      if (audioStart !== null) expect(audioStart - av.opusHead.preSkip).toBeLessThan(((i + 1) / 25) * 48_000);
    }
  });

  it('concatenated, is an MP4 ffprobe reads: H.264 without B-frames and Opus, every frame, rising timestamps, equal durations', () => {
    const { streams } = probe(['-show_streams']) as { streams: Array<{ codec_name: string; codec_type: string; has_b_frames?: number; profile?: string; sample_rate?: string; duration: string }> };
    expect(streams.map((s) => [s.codec_type, s.codec_name])).toEqual([['video', 'h264'], ['audio', 'opus']]);
    expect(streams[0]!.has_b_frames).toBe(0);
    expect(streams[0]!.profile).toBe('Constrained Baseline');
    expect(streams[1]!.sample_rate).toBe('48000');
    const { packets } = probe(['-show_packets']) as { packets: ProbedPacket[] };
    const video = packets.filter((p) => p.codec_type === 'video');
    const audio = packets.filter((p) => p.codec_type === 'audio');
    expect(video).toHaveLength(FRAMES);
    expect(video.map((p) => p.pts)).toEqual(video.map((_, i) => i * 3600));
    expect(video.every((p) => p.pts === p.dts)).toBe(true);
    expect(video.filter((p) => p.flags.startsWith('K')).map((p) => p.pts / 3600)).toEqual([0, 20, 40]);
    expect(audio).toHaveLength(av.packets.length);
    for (let i = 1; i < audio.length; i++) expect(audio[i]!.pts).toBeGreaterThan(audio[i - 1]!.pts);
    // The audio track's duration counts the pre-skip, which the decoder drops.
    expect(Number(streams[0]!.duration)).toBe(FRAMES / 25);
    expect(Math.abs(Number(streams[1]!.duration) - av.opusHead.preSkip / 48_000 - FRAMES / 25)).toBeLessThanOrEqual(1 / 25);
    const { frames } = probe(['-select_streams', 'v:0', '-show_entries', 'frame=pict_type']) as { frames: Array<{ pict_type: string }> };
    expect(frames).toHaveLength(FRAMES);
    expect(frames.filter((f) => f.pict_type === 'B')).toEqual([]);
  });

  it('keeps sound and picture together: each click of the track is heard at the time of its frame', () => {
    // The click track has a 1 kHz click starting at every whole second (frames 0 and 25); ffmpeg decodes the Opus
    // track as a player does (the pre-skip from dOps dropped).
    const pcm = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:a:0', '-f', 's16le', '-ac', '1', '-ar', '48000', 'pipe:1']);
    const samples = new Int16Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.length));
    const onsets: number[] = [];
    let quietSince = -Infinity;
    for (let i = 0; i < samples.length; i++) {
      if (Math.abs(samples[i]!) > 2000) {
        if (i - quietSince > 4800) onsets.push(i / 48_000);
        quietSince = i;
      }
    }
    const onsetsMs = onsets.map((seconds) => Math.round(seconds * 1000));
    expect(onsetsMs).toHaveLength(2);
    expect(Math.abs(onsetsMs[0]! - 0)).toBeLessThanOrEqual(2);
    expect(Math.abs(onsetsMs[1]! - 1000)).toBeLessThanOrEqual(2);
  });

  it('gives a viewer who joins late the init segment and the fragments from the last keyframe on', () => {
    expect(joined[0]!.equals(segments[0]!.bytes)).toBe(true);
    const decodeTimes = joined.slice(1).map((bytes) => {
      const videoTraf = readBoxes(bytes)[0]!.children.find((b) => b.type === 'traf')!;
      return Number(findBox(videoTraf.children, 'tfdt').content.readBigUInt64BE(4)) / 3600;
    });
    // The sound was all there before the frames: every frame went out as it came, the last keyframe being frame 40.
    expect(decodeTimes).toEqual([40, 41, 42, 43, 44, 45, 46, 47, 48, 49]);
    const joinedFile = join(work, 'joined.mp4');
    writeFileSync(joinedFile, Buffer.concat(joined));
    const { frames } = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-of', 'json', '-select_streams', 'v:0', '-show_entries', 'frame=pict_type', joinedFile], { encoding: 'utf8' })) as { frames: Array<{ pict_type: string }> };
    expect(frames.map((f) => f.pict_type)).toEqual(['I', ...Array<string>(9).fill('P')]);
  });

  it('holds a frame until the sound of its own time is out (less the 2.5 ms look-ahead), and sends what is left on finish', () => {
    const sent: Array<{ kind: string; bytes: Buffer }> = [];
    const stream = new LiveFmp4Stream({ width: 128, height: 96, fps: 25, withAudio: true, onSegment: (s) => sent.push(s) });
    stream.setDecoderConfig(av.decoderConfig);
    for (const unit of av.units.slice(0, 3)) stream.addVideo(unit);
    expect(sent).toEqual([]); // no Opus header yet: no init segment
    stream.setOpusHead(av.opusHead);
    expect(sent.map((s) => s.kind)).toEqual(['init']);
    // Packets 0 and 1 are coded from frame 0's samples (0-40 ms) and end 2.5 ms of pre-skip before it: the packet
    // that ends it needs frame 1's samples, so frame 0 goes with those two.
    stream.addAudio(av.packets[0]!);
    expect(sent).toHaveLength(1);
    stream.addAudio(av.packets[1]!);
    expect(sent).toHaveLength(2);
    const audioTraf = readBoxes(sent[1]!.bytes)[0]!.children.filter((b) => b.type === 'traf')[1]!;
    expect(findBox(audioTraf.children, 'trun').content.readUInt32BE(4)).toBe(2);
    stream.addAudio(av.packets[2]!);
    expect(sent).toHaveLength(2);
    stream.addAudio(av.packets[3]!);
    expect(sent).toHaveLength(3);
    stream.finish();
    expect(sent).toHaveLength(4);
  });
});
