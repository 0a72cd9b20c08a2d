// npx tsx --conditions=portrait-farm-source test/bench/idle-contact-sheet.ts -- [--image test/fixtures/astronaut.png]
//   [--seed 0] [--out out/look-idle]
// What a live session shows while no speech is queued (issue 18): packages/motion's idle generator rendered on a
// portrait through the engine's path (retarget, controls, render threads), as contact sheets to look at:
//   idle.png, listening.png    10 s of each state from the same seed, every 5th frame
//   sequence.png               3 s of the starter denoiser's speech on the fixture audio, then idle (startFrom the
//                              speech), listening, idle again: the face, every 3rd frame, captioned with the state
//   switch-from-speech.png     the face on every frame around the end of the speech
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MOTION_CHANNEL_COUNT as C } from '@portrait-farm/contracts';
import {
  createEngine, createRenderPool, prepareClip, prepareClipRenderer, ProgressReporter, resolveRenderOptions, retargetToPortrait,
} from '@portrait-farm/engine';
import { decodeAudio, saveContactSheet } from '@portrait-farm/media';
import { applyControls, createIdleMotion, createMotionGenerator, type IdleState } from '@portrait-farm/motion';
import { STARTER_PACK } from '@portrait-farm/test-support/repo-models';

const fixtures = new URL('../fixtures/', import.meta.url).pathname;
const { values } = parseArgs({
  options: {
    image: { type: 'string', default: join(fixtures, 'astronaut.png') },
    seed: { type: 'string', default: '0' },
    out: { type: 'string', default: 'out/look-idle' },
  },
});
mkdirSync(values.out, { recursive: true });
const seed = Number(values.seed);
const FPS = 25;
const speechAudio = join(fixtures, 'speech-3s.wav');

const engine = await createEngine({ pack: STARTER_PACK, providers: ['cpu'] });
const options = resolveRenderOptions({ image: values.image, audio: speechAudio, out: join(values.out, 'unused.mp4'), pack: STARTER_PACK, mode: 'crop', seed, renderThreads: 2, providers: ['cpu'] });
const clip = await prepareClip(engine, options, new ProgressReporter(undefined));
const { width, height } = clip.source.image;
const pool = await createRenderPool(prepareClipRenderer(clip), options.renderThreads);
const pack = engine.pack;

async function render(motion: Float32Array): Promise<Uint8Array[]> {
  const frames = motion.length / C;
  const fitted = retargetToPortrait(motion.slice(), clip.neutral, pack.channelMean);
  const controlled = applyControls({ fps: FPS, frameCount: frames, data: fitted }, {}, { channelMean: pack.channelMean });
  const pictures: Uint8Array[] = [];
  await pool.renderFrames(frames, (i) => controlled.data.slice(i * C, (i + 1) * C), async (frame) => { pictures.push(frame.slice()); });
  return pictures;
}

/** The middle of the picture, where crop mode puts the face. */
function face(picture: Uint8Array): Uint8Array {
  const size = Math.round(0.6 * Math.min(width, height));
  const left = Math.round((width - size) / 2);
  const top = Math.round(0.1 * height);
  const out = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) out.set(picture.subarray(((top + y) * width + left) * 3, ((top + y) * width + left + size) * 3), y * size * 3);
  return out;
}

function idleFrames(states: IdleState[]): Float32Array {
  const motion = createIdleMotion({ seed, fps: FPS, channelMean: pack.channelMean, channelStd: pack.channelStd });
  const out = new Float32Array(states.length * C);
  states.forEach((state, f) => out.set(motion.next(state), f * C));
  return out;
}

const every = (pictures: Uint8Array[], step: number): number[] => pictures.map((_, i) => i).filter((i) => i % step === 0);
for (const state of ['idle', 'listening'] as const) {
  const pictures = await render(idleFrames(Array<IdleState>(10 * FPS).fill(state)));
  const picked = every(pictures, 5);
  await saveContactSheet({ frames: picked.map((i) => pictures[i]!), width, height, labels: picked.map((i) => `${state} ${(i / FPS).toFixed(1)} s`) }, join(values.out, `${state}.png`), { columns: 10, tileWidth: 160 });
}

const samples = (await decodeAudio(speechAudio)).samples;
const features = await engine.audio.features(samples);
const speechGenerator = await createMotionGenerator(pack, engine.denoiser, { seed, silenceFeature: engine.silenceFeature });
const speech = (await speechGenerator.generateAll(features)).data;
await speechGenerator.close();

const rest = createIdleMotion({ seed, fps: FPS, channelMean: pack.channelMean, channelStd: pack.channelStd });
const plan: Array<[IdleState | 'speech', number]> = [['idle', 1 * FPS], ['speech', speech.length / C], ['idle', 4 * FPS], ['listening', 5 * FPS], ['idle', 3 * FPS]];
const sequence: number[] = [];
const labels: string[] = [];
for (const [state, frames] of plan) {
  if (state === 'speech') {
    sequence.push(...speech);
    rest.startFrom(speech.subarray(speech.length - 10 * C));
  } else {
    for (let f = 0; f < frames; f++) sequence.push(...rest.next(state));
  }
  for (let f = 0; f < frames; f++) labels.push(`${labels.length} ${state}`);
}
const pictures = (await render(Float32Array.from(sequence))).map(face);
const side = Math.round(0.6 * Math.min(width, height));
const picked = every(pictures, 3);
await saveContactSheet({ frames: picked.map((i) => pictures[i]!), width: side, height: side, labels: picked.map((i) => labels[i]!) }, join(values.out, 'sequence.png'), { columns: 12, tileWidth: 128 });
const speechEnd = FPS + speech.length / C;
const around = Array.from({ length: 24 }, (_, i) => speechEnd - 6 + i);
await saveContactSheet({ frames: around.map((i) => pictures[i]!), width: side, height: side, labels: around.map((i) => labels[i]!) }, join(values.out, 'switch-from-speech.png'), { columns: 12, tileWidth: 128 });

await pool.close();
await clip.audio.release();
await engine.close();
console.log(`Wrote idle.png, listening.png, sequence.png and switch-from-speech.png in ${values.out}`);
