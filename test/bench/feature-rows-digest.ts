// npx tsx --conditions=portrait-farm-source test/bench/feature-rows-digest.ts [--seconds 20,600]
// The SHA-256 of every segment's audio feature rows (segmentFeatures, in segment order) and the clip's mel peak for
// the 20 s speech fixture looped to each length, through the engine's own prepare stage (models/starter): run in two
// checkouts, equal digests show that a change to how the audio is held left the features, and so every frame, as
// they were.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createEngine, prepareClip, ProgressReporter, resolveRenderOptions, segmentFeatures } from '@portrait-farm/engine';
import { STARTER_PACK } from '@portrait-farm/test-support/repo-models';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20,600' } } });
const fixtures = new URL('../fixtures/', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'feature-digest-'));
const engine = await createEngine({ pack: STARTER_PACK, providers: ['cpu'] });
try {
  for (const seconds of values.seconds.split(',').map(Number)) {
    const audio = join(work, `speech-${seconds}s.ogg`);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-stream_loop', '-1', '-i', join(fixtures, 'demo-speech-20s.ogg'), '-t', String(seconds), '-c:a', 'copy', audio]);
    const options = resolveRenderOptions({ image: join(fixtures, 'astronaut.png'), audio, out: join(work, 'unused.mp4'), pack: STARTER_PACK, mode: 'crop' });
    const clip = await prepareClip(engine, options, new ProgressReporter(undefined));
    const hash = createHash('sha256');
    let rows = 0;
    for (const segment of clip.segments) {
      const features = await segmentFeatures(engine, clip, segment);
      hash.update(new Uint8Array(features.data.buffer, features.data.byteOffset, features.data.byteLength));
      rows += features.frameCount;
    }
    // A checkout whose clip holds its samples in memory has nothing to release.
    await (clip as { audio?: { release(): Promise<void> } }).audio?.release();
    console.log(JSON.stringify({ seconds, segments: clip.segments.length, rows, melPeak: clip.melPeak, sha256: hash.digest('hex') }));
  }
} finally {
  await engine.close();
  rmSync(work, { recursive: true, force: true });
}
