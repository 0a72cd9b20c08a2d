import { createHash } from 'node:crypto';
import { CHANNEL } from '@portrait-farm/contracts';
import { describe, expect, it } from 'vitest';
import { prepareMeshwarp, type RgbImage } from './prepare.ts';
import { createMeshwarpRendererFromPrepared } from './renderer.ts';
import { astronautPortrait } from './testing/astronaut-portrait.ts';
import { syntheticPortrait } from './testing/synthetic-portrait.ts';

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
 * renderer before its warp was optimised: optimisations must leave every byte as it was.
 */
const EXPECTED: Record<string, string[]> = {
  synthetic: [
    'dad1c8e065821fc7cfdf561d3eb1aa130d0e9104bcf821cfd3be1f0d6840f6fb',
    'ef0dacadcdbee7445ead0e07952a52657f6408913ba5a39bb88a828b2824a529',
    'a21c021766132478ac1838fa680da39fae968e044a0865863a503c653227f153',
    'f72115de7a96353abb124af1669096a9897263351aa2eb9b78845b5c5ba515dd',
    '650a65ca84878bd6876c01ec6dd2f7f71ee292de324b1a9d0aad25bc69a19595',
    '2d8bfdf3ce2a92bb567d295695935bed556a5647660f76dcb8a0642119671130',
    'b99a2596310c2e2ab4df6b04cd3a1718cdfac475e45eb8b1becd972a3cf060b9',
    '40a6031788e1dfee1f8b21159086a5105c960560d8a03145cf35e27d92e7a1d3',
    '80e16f662ece8c1aacbf71a4ca80041e848991941966b0e3c448f59caede35b5',
    'c7c4d3b0407dc2bd63fa9ebada519582807d0f285caa2c816f857e11775e25cb',
  ],
  astronautCut: [
    '38c02c9f71dcff5ef211c13d8fdd92591635a90e21b6a769b86fa69fcb7e84fc',
    '12ce34c4c6ba27d2fc72bcca0f052ae8653b7f64bd2045a6374694feac0e0b82',
    '7d560b2b568a735e4d607d5903b9f829d7fe778f3d6fd5ef9ce18474c3023e56',
    'a816c19b3767a8fc832e9efed1a351f8519fd9864ea021c598b0b03b45ffdb7c',
    '7df0cbb170e53792c6c107ef51693c062fa19429a6aaa5eb7357d740b6c3ad6f',
    'f9c7fed459708dfa049c67bc38a2e73d98acd230b8ac3193bdab334a5278a404',
    'd9796bf850847606ad00dfadbb1e2792fca7102c0fe17ffde099e29899c95b1d',
    'f1ec0ff2cd79b6502c5abfb9ae7199ef93cd5f2894707493cdb91116b7ba5de4',
    'e2287c625ce07c83c92dbbdb4cb9f61c91cf438f29463ad2a15df7e3af214bce',
    'cb64398d855b07c8ae01ec9c235a793cbf95166d93afbd8bbc448703676aaa55',
  ],
  astronaut: [
    'a8c429c18afa7b0fd5673e598d73a21225d94c864a71bbb3885126fdecb41071',
    'b69765c0873636ce722421a5bbdb88321da90b9e598ef14f8d40087af0636048',
    '3d6728c52c809abcb3dde2b5a7d33072665d4ca1638d5b641b4dcb45c41a66f1',
    'd78ff6c30ac92d9cb2401ad97862e62c39aec2d786c4444952322703eb1215f0',
    'bed35c867751d601cf777d3d41669fc09db28eb09de7afb6bcafff1f2c0729c8',
    '810250150fbeedff5f064ca6cd471ac78c088555da32517e0e568aab6d1da8a7',
    'd06684c55c5ad9017aaca88cd6cab5a2ad34fcd70ffb886ef150e7c64c8e62e5',
    '5f6f846070b53dedfd7e2e936d1993cae00d11181f74e233409af07b959ba13c',
    'dde596206df89ac5d4cb2587868f864e742569541bbdbdbccc05ab753e856f73',
    'd01bf853627988e7689d347a2f1b837cb11cf66bba3803686c9393934b80cddc',
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
