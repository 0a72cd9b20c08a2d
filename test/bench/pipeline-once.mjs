// node [--perf-basic-prof] test/bench/pipeline-once.mjs ROOT SECONDS [warm]
// One renderClipWith of the astronaut portrait (crop, 512x512, 25 fps, 2 render threads) on SECONDS of the demo
// speech, with ROOT's compiled engine (ROOT/packages/engine/dist), the engine's models loaded first; with `warm`,
// after one render of the same clip (an engine that keeps its render threads then has them started and compiled).
// Plain JavaScript run by plain node, so that a profile of it holds no TypeScript loader. Prints the run's bounds on
// CLOCK_MONOTONIC (`perf record -k CLOCK_MONOTONIC` stamps its samples on the same clock), its CPU seconds and the
// SHA-256 of the video it made.
// Used by pipeline-cpu-table.ts.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [root, secondsArg, warmArg] = process.argv.slice(2);
if (root === undefined || secondsArg === undefined || (warmArg !== undefined && warmArg !== 'warm')) throw new Error('usage: pipeline-once.mjs ROOT SECONDS [warm]');
const { createEngine, renderClipWith, resolveRenderOptions } = await import(join(root, 'packages/engine/dist/index.js'));
const fixtures = new URL('../fixtures/', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'pipeline-once-'));
const audio = join(work, 'speech.wav');
execFileSync('ffmpeg', ['-v', 'error', '-stream_loop', '-1', '-i', join(fixtures, 'demo-speech-20s.ogg'), '-t', secondsArg, '-ac', '1', '-ar', '44100', audio]);

/** CPU seconds of this process's threads, and of its children waited for (fields 14 and 15 after the name). */
function cpuSeconds() {
  const own = process.cpuUsage();
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return { own: (own.user + own.system) / 1e6, children: (Number(fields[13]) + Number(fields[14])) / 100 };
}

const pack = new URL('../../models/starter/', import.meta.url).pathname;
const engine = await createEngine({ pack, providers: ['cpu'] });
const options = resolveRenderOptions({ image: join(fixtures, 'astronaut.png'), audio, out: join(work, 'clip.mp4'), pack, mode: 'crop', fps: 25, seed: 0, renderThreads: 2, providers: ['cpu'] });
if (warmArg === 'warm') await renderClipWith(engine, options);
const before = cpuSeconds();
console.log(`pid ${process.pid}`);
console.log(`run start ${process.hrtime.bigint()}`);
const result = await renderClipWith(engine, options);
console.log(`run end ${process.hrtime.bigint()}`);
const after = cpuSeconds();
console.log(`frames ${result.frames}`);
console.log(`sha256 ${createHash('sha256').update(readFileSync(result.out)).digest('hex')}`);
console.log(`cpu own ${(after.own - before.own).toFixed(3)} children ${(after.children - before.children).toFixed(3)}`);
await engine.close();
rmSync(work, { recursive: true, force: true });
