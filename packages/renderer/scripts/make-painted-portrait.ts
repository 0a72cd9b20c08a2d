/**
 * Writes an oil-paint version of test/fixtures/astronaut.png (enlarged 2x first, so the face keeps its features
 * through the paint filters) for renders through the whole engine:
 * npx tsx packages/renderer/scripts/make-painted-portrait.ts [out/painted-astronaut.png]
 * then: npm run look -- --image out/painted-astronaut.png --out out/look-painted
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import sharp from 'sharp';
import { astronautPortrait, paintedPortrait } from '../src/testing/astronaut-portrait.ts';

const path = process.argv[2] ?? 'out/painted-astronaut.png';
const photo = (await astronautPortrait()).image;
const size = { width: photo.width * 2, height: photo.height * 2 };
const enlarged = await sharp(photo.data, { raw: { width: photo.width, height: photo.height, channels: 3 } })
  .resize(size.width, size.height, { kernel: 'lanczos3' })
  .raw()
  .toBuffer();
const painted = await paintedPortrait({ ...size, data: new Uint8Array(enlarged.buffer, enlarged.byteOffset, enlarged.length) });
mkdirSync(dirname(path), { recursive: true });
await sharp(painted.data, { raw: { width: painted.width, height: painted.height, channels: 3 } }).png().toFile(path);
console.log(`Wrote ${path}`);
