import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { concatChunks } from './concat-chunks.ts';
import { encodeAudioTrack } from './encode-audio-track.ts';
import { CHUNK_AUDIO_SETTINGS, writeChunkSound } from './chunk-sound.ts';
import { fixture, makeTempDir, portraitFrames } from './testing/test-support.ts';
import { createVideoEncoder } from './video-encoder.ts';

// Regression (issue 16, item 6): the live stream's chunks carried no sound. Chunks now carry their slice of the
// clip's audio, on the clip's clock, and the final video joined from them is byte-identical to the one joined from
// chunks without sound. Since issue 17 the chunk's own ffmpeg encodes its sound (one process a chunk, not two).

const SIZE = 64;
const RATE = 16_000;
const CLIP_SECONDS = 3.64;
/** Tone bursts (1 kHz, 80 ms) in silence, at these clip times: one per chunk, away from the chunk boundaries. */
const BURSTS = [0.5, 1.7, 2.9];

const run = promisify(execFile);
const temp = makeTempDir();
afterAll(() => temp.cleanup());

function clipAudio(): Float32Array {
  const samples = new Float32Array(Math.round(CLIP_SECONDS * RATE));
  for (const at of BURSTS) {
    const from = Math.round(at * RATE);
    for (let i = 0; i < 0.08 * RATE; i++) samples[from + i] = 0.5 * Math.sin((2 * Math.PI * 1000 * i) / RATE);
  }
  return samples;
}

async function sha256(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

interface StreamTimes {
  type: string;
  start: number;
  end: number;
}

/** Where each stream of a chunk starts and ends (seconds, from its packets' timestamps). */
async function streamTimes(path: string): Promise<StreamTimes[]> {
  const args = ['-v', 'error', '-show_entries', 'packet=codec_type,pts_time,duration_time', '-of', 'json', path];
  const { packets } = JSON.parse((await run('ffprobe', args)).stdout) as { packets: Array<{ codec_type: string; pts_time: string; duration_time: string }> };
  const times = new Map<string, StreamTimes>();
  for (const packet of packets) {
    const start = Number(packet.pts_time);
    const end = start + Number(packet.duration_time);
    const known = times.get(packet.codec_type);
    times.set(packet.codec_type, { type: packet.codec_type, start: Math.min(start, known?.start ?? start), end: Math.max(end, known?.end ?? end) });
  }
  return [...times.values()];
}

/** The audio of `input` as 48 kHz mono samples, placed by their timestamps from the first packet (gaps as silence). */
async function decodeAudioOf(input: string): Promise<Float32Array> {
  const args = ['-nostdin', '-v', 'error', '-i', input, '-map', '0:a', '-af', 'aresample=async=1:min_hard_comp=0.001:first_pts=0', '-f', 'f32le', '-ac', '1', '-ar', '48000', '-'];
  const { stdout } = await run('ffmpeg', args, { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  return new Float32Array(stdout.buffer, stdout.byteOffset, stdout.byteLength / 4);
}

/** Chunks of frames [from, to) at `fps`: as the stitch has always had them (`plain`) and for the live stream (`live`). */
async function encodeChunks(fps: number, ranges: Array<[number, number]>, live: boolean): Promise<string[]> {
  const frames = await portraitFrames(ranges.at(-1)![1], SIZE);
  const samples = clipAudio();
  const paths: string[] = [];
  for (const [index, [from, to]] of ranges.entries()) {
    const out = join(temp.dir, `${fps}-${live ? 'live' : 'plain'}-${index}.ts`);
    const chunkSound = live ? await writeChunkSound({ samples, sampleRate: RATE, startSeconds: from / fps, durationSeconds: (to - from) / fps, out: `${out}.f32` }) : null;
    const encoder = createVideoEncoder({
      out, width: SIZE, height: SIZE, fps, mode: 'chunk',
      ...(live ? { startSeconds: from / fps, chunkSound } : {}),
    });
    for (const frame of frames.slice(from, to)) await encoder.write(frame);
    await encoder.finish();
    paths.push(out);
  }
  return paths;
}

describe('chunks with sound for the live stream', () => {
  it.each([
    { fps: 25, ranges: [[0, 30], [30, 60], [60, 91]] as Array<[number, number]> },
    { fps: 30, ranges: [[0, 31], [31, 62], [62, 110]] as Array<[number, number]> },
    { fps: 7, ranges: [[0, 9], [9, 17], [17, 26]] as Array<[number, number]> },
  ])('join into the same final video as chunks without sound ($fps fps)', async ({ fps, ranges }) => {
    const track = join(temp.dir, `track-${fps}.m4a`);
    await encodeAudioTrack(fixture('speech-3s.wav'), track);
    const plain = join(temp.dir, `plain-${fps}.mp4`);
    const live = join(temp.dir, `live-${fps}.mp4`);
    await concatChunks(await encodeChunks(fps, ranges, false), track, plain, { audioIsTrack: true });
    await concatChunks(await encodeChunks(fps, ranges, true), track, live, { audioIsTrack: true });
    expect(await sha256(live)).toBe(await sha256(plain));
  }, 60_000);

  it('places each chunk on the clip clock, its sound within its video, and plays the sound in sync', async () => {
    const fps = 25;
    const ranges: Array<[number, number]> = [[0, 30], [30, 60], [60, 91]];
    const chunks = await encodeChunks(fps, ranges, true);
    let previousEnd: number | null = null;
    for (const [index, chunk] of chunks.entries()) {
      const times = await streamTimes(chunk);
      const video = times.find((s) => s.type === 'video')!;
      const audio = times.find((s) => s.type === 'audio')!;
      expect(audio, `chunk ${index} has sound`).toBeDefined();
      // The chunk starts where it lies in the clip (ffmpeg's MPEG-TS offset is the same for every chunk).
      if (previousEnd !== null) expect(video.start).toBeCloseTo(previousEnd, 4);
      previousEnd = video.end;
      expect(audio.start).toBe(video.start);
      expect(audio.end).toBeLessThanOrEqual(video.end);
      const frame = CHUNK_AUDIO_SETTINGS.frameSamples / CHUNK_AUDIO_SETTINGS.sampleRate;
      expect(video.end - audio.end).toBeLessThan(frame + 0.0011);
      expect(audio.end - audio.start).toBeCloseTo(Math.floor((video.end - video.start - 0.001) / frame) * frame, 5);
    }
    // Played one after another (as an HLS client reads them): no continuity errors, and the bursts sound at their
    // clip times.
    const played = await run('ffmpeg', ['-nostdin', '-v', 'warning', '-i', `concat:${chunks.join('|')}`, '-map', '0', '-f', 'null', '-']);
    expect(played.stderr).toBe('');
    const pcm = await decodeAudioOf(`concat:${chunks.join('|')}`);
    const rate = CHUNK_AUDIO_SETTINGS.sampleRate;
    for (const at of BURSTS) {
      const from = Math.round((at - 0.05) * rate);
      const onset = pcm.slice(from, from + Math.round(0.1 * rate)).findIndex((v) => Math.abs(v) > 0.25);
      expect(onset, `burst at ${at} s`).toBeGreaterThan(0);
      expect(Math.abs((from + onset) / rate - at), `burst at ${at} s`).toBeLessThan(0.002);
    }
  }, 60_000);

  it('leaves a chunk shorter than one AAC frame without sound, gives one frame to a chunk of 40 ms, and checks its options', async () => {
    const samples = clipAudio();
    const out = join(temp.dir, 'short.f32');
    expect(await writeChunkSound({ samples, sampleRate: RATE, startSeconds: 1, durationSeconds: 0.02, out })).toBeNull();
    const one = await writeChunkSound({ samples, sampleRate: RATE, startSeconds: 3.6, durationSeconds: 0.04, out });
    expect(one).toMatchObject({ path: out, frames: 1, durationSeconds: 1024 / 48_000 });
    const chunk = join(temp.dir, 'one-frame.ts');
    const encoder = createVideoEncoder({ out: chunk, width: SIZE, height: SIZE, fps: 25, mode: 'chunk', startSeconds: 3.6, chunkSound: one });
    await encoder.write((await portraitFrames(1, SIZE))[0]!);
    await encoder.finish();
    const probe = await run('ffprobe', ['-v', 'error', '-select_streams', 'a', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', chunk]);
    expect(probe.stdout.trim().split('\n')).toHaveLength(1);
    await expect(writeChunkSound({ samples, sampleRate: RATE, startSeconds: -1, durationSeconds: 1, out })).rejects.toMatchObject({ code: 'MEDIA_BAD_OPTION' });
    await expect(writeChunkSound({ samples, sampleRate: RATE, startSeconds: 0, durationSeconds: 1, out: join(temp.dir, 'x.m4a') })).rejects.toMatchObject({
      code: 'MEDIA_BAD_OPTION',
      message: expect.stringContaining('out must be an .f32 (raw float32 samples) file'),
    });
    expect(() => createVideoEncoder({ out: join(temp.dir, 'final.mp4'), width: SIZE, height: SIZE, fps: 25, startSeconds: 2 })).toThrow(/startSeconds must be absent in final mode/);
    expect(() => createVideoEncoder({ out: join(temp.dir, 'final.mp4'), width: SIZE, height: SIZE, fps: 25, chunkSound: one })).toThrow(/chunkSound must be absent in final mode/);
  });
});
