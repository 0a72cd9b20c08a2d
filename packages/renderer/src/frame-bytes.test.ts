import { createHash } from 'node:crypto';
import { CHANNEL } from '@portrait-farm/contracts';
import { describe, expect, it } from 'vitest';
import { prepareMeshwarp, type RgbImage } from './prepare.ts';
import { createMeshwarpRendererFromPrepared } from './renderer.ts';
import { astronautPortrait } from './testing/astronaut-portrait.ts';
import { syntheticPortrait } from './synthetic-portrait.ts';

type Channels = Partial<Record<keyof typeof CHANNEL, number>>;

/**
 * A short clip touching every path of the renderer: speech shapes, a blink (closing lids), gaze (painted eyeballs),
 * head turns, and head distance both ways (camera zoom in and out, the border extension).
 */
const CLIP: Channels[] = [
  {},
  { jaw_open: 0.5, lips_part: 0.4 },
  { jaw_open: 0.9, mouth_wide: 0.3, smile: 0.2, head_yaw: 6 },
  { mouth_round: 0.6, lips_part: 0.2, head_pitch: -4, head_roll: 3, gaze_x: 0.3 },
  { blink_l: 0.7, blink_r: 1, brow_raise: 0.4, head_tx: 4, head_ty: -3 },
  { upper_lip_raise: 0.4, lower_lip_tuck: 0.3, brow_furrow: 0.5, gaze_y: -0.3, head_yaw: -8 },
  { lips_press: 0.7, smile: -0.3, head_scale: 0.25 },
  { jaw_open: 0.3, lips_part: 0.5, head_scale: 0.25 },
  { jaw_open: 0.6, head_scale: -0.3, gaze_x: -0.4, head_roll: -5 },
  { jaw_open: 0.1 },
];

/**
 * SHA-256 of each frame of CLIP, rendered in order into one reused buffer (as render threads do), recorded from the
 * renderer before its warp was optimised (and again when the outer band became opaque): optimisations must leave
 * every byte as it was.
 */
const EXPECTED: Record<string, string[]> = {
  synthetic: [
    'dad1c8e065821fc7cfdf561d3eb1aa130d0e9104bcf821cfd3be1f0d6840f6fb',
    'c7188a407949a923bf4551c95f4d0999084cf09e8cdffd2cda8cd84f890b6bb4',
    'cf7f3ad01ad6a478f52cfa4d22b1ef3d5f9ed2ff5fb9f891dd5feccc412268f9',
    '19e5196b8ee3ffb7d0c91ed65f364611225198bc2b4731a730149338b3853f44',
    '80d9dadc5d36f8458496a30bee1b1899846ac57146a4517d3f714fed51a4953c',
    '31dbecd5befd75da655008ba0f2ab7927a4d1c5f85eff8747a7a9a78469496d7',
    '62bf0931fe5471fade9e14b5b940825d571841cfd1773d6efd5e7a58dd89e1fd',
    '0c0b6bc125623f7ffa5bba8e88a17bf70ce3c9f9a288b2167a63354e5289b367',
    '30fd9180086d4563ce88bfe7b4b222081345bbf474f996f7a8dec2504d4d89f0',
    '0c1682cb184bed1975d6aef7a76ae08a3e2a3b64220560814b1eade3759a9ee2',
  ],
  astronautCut: [
    '38c02c9f71dcff5ef211c13d8fdd92591635a90e21b6a769b86fa69fcb7e84fc',
    '76fc04d08114f12755e57f0f909aaeb4e5d78597f88c3d2869e9a254500344a0',
    'a29e3725df4c4e303f4532e189cea02dabb27d95402cbe8986b5b33932389182',
    '165c1a9fcd49d56b6397155b26000cf966865791e137f75f3b9731a834716fd3',
    'bcb7d6a3fd9ce69704e6654b062235fad17876d6f976cfc2d12475934a40e9c7',
    'c79052b826c18e30872534360a857dd51dc481a8c8e8ad81e6dfb27d736cfb49',
    '0e2f62b8372d40eab3e942648eeb1a1db06ab736d1121f9ea30a29227f2601f0',
    '4d50b1e11a777b74af8a419542f4f52f92e92a590c95d4e3d4d732f44d28d12c',
    '39f1ba804463ff3963663d6da43255e9a1e611a9f57d215dee5ae77e32ec98ac',
    '1112a5b07c7d73b23298c6bc37578d28ca464390aca5847c34fbf451de82cdd3',
  ],
  astronaut: [
    'a8c429c18afa7b0fd5673e598d73a21225d94c864a71bbb3885126fdecb41071',
    '8860f0520dbc24591a3ec3208b6e010d80bf9d9680501000ca2f68f873f1e382',
    'f62515995e391c9a26cbf71be28bc2c71579ee6f0899508c8d475f36288a678b',
    '6f33545e97afdc201ba91ba8b16982b0478ef39876f813924efcadfdf7e0ccaa',
    '78cd91e59edf86246db24573ad87bf5b3e398153ab0e084034c9d2b615afe7c7',
    '1da51905df07668b3b72f2cfc52dc1c2df5ac41e906ad76fe7257204210a0195',
    'cc5a55ea5f3dafd7473fc62082a8cb0228cbd4f2bf70da34cd93ac66184c7ade',
    '9e9fae4953dbae5095817d5b76433f9e48ef49f1234a4d3bb0d70233a341f334',
    'dbb40d3b3133b17565ca06be6e50ad970322caabcc551059e78e4a8f25c14121',
    'e39a568fd50124b313362ffbf4b4e57b6eca74aea11ee982661539e4771e462a',
  ],
};

/**
 * A byte-exact cut of the photo (1.6 face widths square) whose left edge passes through the face, so that the warp
 * samples the source up to its border (clamped samples) and the rings are clamped to the image.
 */
function faceCutAtBorder(image: RgbImage, landmarks: Float32Array): { image: RgbImage; landmarks: Float32Array } {
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (let i = 0; i < 468; i++) {
    minX = Math.min(minX, landmarks[i * 3]!);
    maxX = Math.max(maxX, landmarks[i * 3]!);
    minY = Math.min(minY, landmarks[i * 3 + 1]!);
    maxY = Math.max(maxY, landmarks[i * 3 + 1]!);
  }
  const side = Math.round(1.6 * (maxX - minX));
  const left = Math.round(minX + 0.1 * (maxX - minX));
  const top = Math.max(0, Math.round((minY + maxY - side) / 2));
  const data = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++) data.set(image.data.subarray(((top + y) * image.width + left) * 3, ((top + y) * image.width + left + side) * 3), y * side * 3);
  const moved = landmarks.map((value, i) => (i % 3 === 0 ? value - left : i % 3 === 1 ? value - top : value));
  return { image: { width: side, height: side, data }, landmarks: moved };
}

function renderClip(image: RgbImage, landmarks: Float32Array): string[] {
  const renderer = createMeshwarpRendererFromPrepared(prepareMeshwarp({ image, landmarks }));
  const out = new Uint8Array(image.width * image.height * 3);
  return CLIP.map((channels) => {
    const motion = Float32Array.from(renderer.neutral);
    for (const [name, value] of Object.entries(channels)) motion[CHANNEL[name as keyof typeof CHANNEL]] = value;
    return createHash('sha256').update(renderer.renderFrame(motion, out)).digest('hex');
  });
}

describe('rendered frames stay byte-identical', () => {
  it('on the synthetic portrait', () => {
    const portrait = syntheticPortrait();
    const hashes = renderClip({ width: portrait.width, height: portrait.height, data: portrait.data }, portrait.landmarks);
    expect(hashes).toEqual(EXPECTED.synthetic);
  });

  it('on the astronaut photo', async () => {
    const photo = await astronautPortrait();
    expect(renderClip(photo.image, photo.landmarks)).toEqual(EXPECTED.astronaut);
  });

  it('on a cut of the astronaut photo through the face (samples clamped at the border)', async () => {
    const photo = await astronautPortrait();
    const cut = faceCutAtBorder(photo.image, photo.landmarks);
    expect(renderClip(cut.image, cut.landmarks)).toEqual(EXPECTED.astronautCut);
  });
});
