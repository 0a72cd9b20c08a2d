// Run by memory-bench.ts as a child process: what a farm worker's memory does while it stores (prepare step) or
// loads (segment step on another worker) a prepared clip, in one of two ways, on filesystem storage.
//   tsx --conditions=portrait-farm-source test/bench/clip-store-memory.ts MODE STORAGE_DIR
// MODE: store-buffer | store-stream (the clip is read from STORAGE_DIR/clip.bin, then stored as work/clip.bin),
//       load-buffer | load-stream (work/clip.bin is loaded and held), idle (nothing: the process's own memory).
// Prints JSON: the process's peak RSS in MiB (VmHWM) and its RSS with the clip held at the end; for the store modes
// the peak counts from the clip held (read, garbage collected, then the kernel's peak reset), as a prepare step holds it.
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodePreparedClip, encodePreparedClip, preparedClipStream, readPreparedClip } from '@portrait-farm/job-steps';
import type { PreparedClip } from '@portrait-farm/engine';
import { createStorage } from '@portrait-farm/storage';

const [mode, dir] = process.argv.slice(2);
if (mode === undefined || dir === undefined) throw new Error('usage: clip-store-memory.ts MODE STORAGE_DIR');
const storage = createStorage(dir);
const KEY = 'work/clip.bin';

function statusMiB(field: 'VmHWM' | 'VmRSS'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(match?.[1] ?? 0) / 1024;
}
let held: PreparedClip | null = null;
if (mode.startsWith('store-')) {
  const clip = await readPreparedClip(createReadStream(join(dir, 'clip.bin')));
  held = clip;
  global.gc?.();
  // Writing 5 to clear_refs resets VmHWM to the present RSS.
  writeFileSync('/proc/self/clear_refs', '5');
  await storage.put(KEY, mode === 'store-stream' ? preparedClipStream(clip) : encodePreparedClip(clip));
} else if (mode.startsWith('load-')) {
  held = mode === 'load-stream' ? await readPreparedClip(await storage.getStream(KEY)) : decodePreparedClip(await storage.get(KEY));
}
const peak = statusMiB('VmHWM');
global.gc?.();
console.log(JSON.stringify({ mode, peak, after: statusMiB('VmRSS'), samples: held?.samples.length ?? 0 }));
