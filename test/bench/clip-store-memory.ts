// Run by memory-bench.ts as a child process: what a farm worker's memory does while it stores (prepare step) or
// loads (segment steps on another worker) a prepared clip and its audio samples, on filesystem storage.
//   tsx --conditions=portrait-farm-source test/bench/clip-store-memory.ts MODE STORAGE_DIR
// MODE: store (STORAGE_DIR/clip.bin and STORAGE_DIR/samples.f32, as the prepare step leaves them, are stored as
//       work/clip.bin and work/samples.f32 the way the prepare step stores them),
//       load (work/clip.bin is loaded, then every segment's stretch of samples read in turn, as segment steps do),
//       idle (nothing: the process's own memory).
// Prints JSON: the process's peak RSS in MiB (VmHWM) and its RSS with the clip held at the end.
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { samplesForFrames } from '@portrait-farm/audio-features';
import { fileClipAudio, type PreparedClip } from '@portrait-farm/engine';
import { clipAudioStream, preparedClipStream, readPreparedClip, storedClipAudio } from '@portrait-farm/job-steps';
import { createStorage } from '@portrait-farm/storage';

const [mode, dir] = process.argv.slice(2);
if (mode === undefined || dir === undefined) throw new Error('usage: clip-store-memory.ts MODE STORAGE_DIR');
const storage = createStorage(dir);
const CLIP = 'work/clip.bin';
const SAMPLES = 'work/samples.f32';
/** Motion frames per segment (one 2 s window at 25 fps). */
const SEGMENT_FRAMES = 50;

function statusMiB(field: 'VmHWM' | 'VmRSS'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(match?.[1] ?? 0) / 1024;
}
let held: PreparedClip | null = null;
let samplesRead = 0;
if (mode === 'store') {
  const local = join(dir, 'samples.f32');
  const open = (): ReturnType<typeof fileClipAudio> => fileClipAudio(local, statSync(local).size / 4, async () => {});
  const clip = await readPreparedClip(createReadStream(join(dir, 'clip.bin')), open);
  held = clip;
  await storage.put(SAMPLES, clipAudioStream(clip.audio));
  await storage.put(CLIP, preparedClipStream(clip));
} else if (mode === 'load') {
  const clip = await readPreparedClip(await storage.getStream(CLIP), (n) => storedClipAudio(storage, SAMPLES, n));
  held = clip;
  for (let frame = 0; frame < clip.motionFrames; frame += SEGMENT_FRAMES) {
    const needed = samplesForFrames(frame, Math.min(clip.motionFrames, frame + SEGMENT_FRAMES));
    const from = Math.max(0, needed.start);
    samplesRead += (await clip.audio.read(from, Math.max(from, Math.min(clip.audio.sampleCount, needed.end)))).length;
  }
}
const peak = statusMiB('VmHWM');
global.gc?.();
console.log(JSON.stringify({ mode, peak, after: statusMiB('VmRSS'), samples: held?.audio.sampleCount ?? 0, samplesRead }));
