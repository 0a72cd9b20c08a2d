// What a prepared avatar saves in a job's prepare step (issue 18): the face part of prepare (decode, face analysis,
// framing for the mode, the renderer's neutral estimate) made from the image, against the same portrait read back
// from the avatar's prepared object (storage get + decode); then the whole prepareClip (audio decode and mel peak
// beside the face) with and without the avatar. Every pair takes turns round by round in one process (A, B, A, B),
// medians of the rounds; filesystem storage. `npm run bench:avatar-prepare [-- --rounds 7 --pack models/starter]`
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { avatarKeys, AvatarStore, createAvatarId } from '@portrait-farm/avatars';
import type { OutputMode } from '@portrait-farm/contracts';
import { createEngine, prepareClip, preparePortrait, ProgressReporter, resolveRenderOptions } from '@portrait-farm/engine';
import type { PreparedPortrait } from '@portrait-farm/engine';
import { loadAvatarPortrait } from '@portrait-farm/job-steps';
import { FilesystemStorage } from '@portrait-farm/storage';

const { values } = parseArgs({ options: { rounds: { type: 'string' }, pack: { type: 'string' } } });
const ROUNDS = Number(values.rounds ?? 7);
const pack = values.pack ?? new URL('../../models/starter/', import.meta.url).pathname;
const fixtures = new URL('../fixtures/', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'pf-bench-avatar-'));
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;

const portraits = { 'astronaut 512x512': join(fixtures, 'astronaut.png'), 'astronaut 1536x1536': join(work, 'astronaut-1536.png') };
await sharp(portraits['astronaut 512x512']).resize(1536, 1536, { kernel: 'lanczos3' }).png().toFile(portraits['astronaut 1536x1536']);
const audio = join(fixtures, 'speech-3s.wav');

const engine = await createEngine({ pack, providers: ['cpu'] });
const storage = new FilesystemStorage({ root: join(work, 'storage') });
const deps = { storage, engine };
const avatars = new AvatarStore(storage);

async function storedAvatar(path: string): Promise<string> {
  const id = createAvatarId();
  const { width, height } = await sharp(path).metadata();
  await avatars.create(
    {
      id,
      tenantId: 'bench',
      createdAt: new Date().toISOString(),
      image: { key: avatarKeys.image('bench', id, 'png'), size: 0, sha256: '0'.repeat(64), contentType: 'image/png', width: width!, height: height!, format: 'png' },
      face: { faceIndex: null, faceBox: null, box: null },
      consent: { attestation: true, statement: null, at: new Date().toISOString() },
    },
    path,
  );
  return id;
}

async function timed<T>(run: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const value = await run();
  return [performance.now() - start, value];
}

function same(a: PreparedPortrait, b: PreparedPortrait): boolean {
  const bytes = (x: ArrayBufferView): Buffer => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  return bytes(a.source.image.data).equals(bytes(b.source.image.data)) && bytes(a.source.landmarks).equals(bytes(b.source.landmarks)) && bytes(a.neutral).equals(bytes(b.neutral));
}

console.log(`pack ${engine.pack.name} ${engine.pack.version}, ${ROUNDS} rounds after one warm-up, medians (min-max)`);
console.log('| portrait | mode | what | from the image (ms) | from the avatar (ms) | ratio | prepared object |');
console.log('|---|---|---|---|---|---|---|');
for (const [name, path] of Object.entries(portraits)) {
  const avatarId = await storedAvatar(path);
  const ref = { tenantId: 'bench', avatarId };
  for (const mode of ['crop', 'full'] as OutputMode[]) {
    const choice = { faceIndex: 0, faceBox: null, mode, log: () => {} };
    const made = await loadAvatarPortrait(deps, ref, mode); // the first use prepares and stores it
    const size = (await storage.head(avatarKeys.prepared('bench', avatarId, engine.pack, mode)))!.size;
    const face = { image: [] as number[], avatar: [] as number[] };
    const clip = { image: [] as number[], avatar: [] as number[] };
    for (let round = 0; round <= ROUNDS; round += 1) {
      const [fromImage, analysed] = await timed(() => preparePortrait(engine, path, choice));
      const [fromAvatar, read] = await timed(() => loadAvatarPortrait(deps, ref, mode));
      if (!same(analysed, read) || !same(made, read)) throw new Error(`${name} ${mode}: the avatar's portrait differs from the image's`);
      const options = resolveRenderOptions({ image: path, audio, out: join(work, 'unused.mp4'), pack, mode, faceIndex: 0 });
      const [clipImage, a] = await timed(() => prepareClip(engine, options, new ProgressReporter(undefined), { scratchDir: work }));
      const [clipAvatar, b] = await timed(() => prepareClip(engine, options, new ProgressReporter(undefined), { scratchDir: work, portrait: () => loadAvatarPortrait(deps, ref, mode) }));
      await Promise.all([a.audio.release(), b.audio.release()]);
      if (round === 0) continue;
      face.image.push(fromImage);
      face.avatar.push(fromAvatar);
      clip.image.push(clipImage);
      clip.avatar.push(clipAvatar);
    }
    const cell = (ms: number[]): string => `${median(ms).toFixed(1)} (${Math.min(...ms).toFixed(1)}-${Math.max(...ms).toFixed(1)})`;
    const ratio = (a: number[], b: number[]): string => `${(median(a) / median(b)).toFixed(1)}x`;
    console.log(`| ${name} | ${mode} | face part of prepare | ${cell(face.image)} | ${cell(face.avatar)} | ${ratio(face.image, face.avatar)} | ${(size / 1024 / 1024).toFixed(2)} MiB |`);
    console.log(`| ${name} | ${mode} | prepareClip, 3 s speech | ${cell(clip.image)} | ${cell(clip.avatar)} | ${ratio(clip.image, clip.avatar)} | |`);
  }
}
await engine.close();
await storage.close();
rmSync(work, { recursive: true, force: true });
