// npm run look -- [--pack models/starter] [--image test/fixtures/astronaut.png] [--audio test/fixtures/speech-3s.wav]
//   [--out out/look] [--mouth-size 2.2] [--no-watermark]
// Renders a talking clip and writes what to look at: the video, a contact sheet of whole frames and a sheet of
// the mouth region of every frame, captioned with the phone being spoken (`--mouth-size`: the side of that region
// in mouth widths; 1.4 shows the lips and the opening up close). The clip carries the invisible watermark, as every
// farm and `render` video does, unless --no-watermark.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderClip } from '@portrait-farm/engine';
import { saveMouthSheet, type TimedPhone } from '@portrait-farm/evaluation';
import { createFaceAnalyzer } from '@portrait-farm/face';
import { readVideoFrames, saveContactSheet } from '@portrait-farm/media';
import { FACE_MODELS_DIR, STARTER_PACK } from '@portrait-farm/test-support/repo-models';

const fixtures = new URL('../fixtures/', import.meta.url).pathname;
const { values } = parseArgs({
  options: {
    pack: { type: 'string', default: STARTER_PACK },
    image: { type: 'string', default: join(fixtures, 'astronaut.png') },
    audio: { type: 'string', default: join(fixtures, 'speech-3s.wav') },
    out: { type: 'string', default: 'out/look' },
    seed: { type: 'string', default: '0' },
    'mouth-size': { type: 'string', default: '2.2' },
    'no-watermark': { type: 'boolean', default: false },
  },
});
mkdirSync(values.out, { recursive: true });
const video = join(values.out, 'clip.mp4');
const watermark = values['no-watermark'] ? null : { payload: Uint8Array.from(Buffer.from('lookat-1')) };
const result = await renderClip({ image: values.image, audio: values.audio, out: video, pack: values.pack, mode: 'crop', seed: Number(values.seed), watermark });
const everyFifth = Array.from({ length: Math.ceil(result.frames / 5) }, (_, i) => i * 5);
await saveContactSheet({ video, frameIndices: everyFifth }, join(values.out, 'frames.png'), { columns: 6, tileWidth: 256 });

const frames = await readVideoFrames(video);
const analyzer = await createFaceAnalyzer({ modelsDir: FACE_MODELS_DIR });
const analysis = await analyzer.analyze({ width: frames.width, height: frames.height, data: frames.frames[0]! });
await analyzer.close();
const lips = [61, 291, 0, 17].map((i) => [analysis.landmarks[i * 3]!, analysis.landmarks[i * 3 + 1]!] as const);
const cx = (lips[0]![0] + lips[1]![0]) / 2;
const cy = (lips[2]![1] + lips[3]![1]) / 2;
const size = Math.round(Number(values['mouth-size']) * Math.abs(lips[1]![0] - lips[0]![0]));
const phonesPath = values.audio.replace(/\.[a-z0-9]+$/, '.phones.json');
let phones: TimedPhone[] = [];
try {
  phones = JSON.parse(readFileSync(phonesPath, 'utf8')) as TimedPhone[];
} catch {
  phones = [];
}
const region = {
  x: Math.max(0, Math.min(frames.width - size, Math.round(cx - size / 2))),
  y: Math.max(0, Math.min(frames.height - size, Math.round(cy - size / 2))),
  size,
};
await saveMouthSheet(frames, phones, join(values.out, 'mouth.png'), { region, fps: result.fps });
console.log(`Wrote ${video}, ${join(values.out, 'frames.png')} and ${join(values.out, 'mouth.png')}`);
