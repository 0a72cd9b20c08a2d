import { Op, SimdLaneMemoryOp, SimdMemoryOp, SimdOp, ValType, WasmCode, writeWasmModule } from '@portrait-farm/wasm-writer';
import { YUV420_COEFFICIENTS as K } from './rgb-to-yuv420.ts';

/** Pixels of one row the kernel converts per step (two rows at a time): the width must be at least this. */
export const KERNEL_BLOCK_PIXELS = 16;
/** Bytes the kernel may read past the end of the RGB frame (its last 4-pixel load takes 16 bytes for 12). */
export const KERNEL_READ_PAST_END = 4;

const PIXELS_PER_LOAD = 4;
const NO_BYTE = 0x80;

/** A swizzle that zero-extends byte `channel` of each of the four RGB24 pixels in a vector to one i32 lane. */
function channelMask(channel: number): number[] {
  return [0, 1, 2, 3].flatMap((pixel) => [pixel * 3 + channel, NO_BYTE, NO_BYTE, NO_BYTE]);
}

/** Shuffle lanes picking i32 lanes 0 and 2 (`first` 0) or 1 and 3 (`first` 1) of each of two vectors. */
function pairLanes(first: number): number[] {
  return [first, first + 2, 4 + first, 6 + first].flatMap((lane) => [lane * 4, lane * 4 + 1, lane * 4 + 2, lane * 4 + 3]);
}

type Weights = readonly [number, number, number];

/**
 * `convert(width, height, rgb, yuv)`: the RGB24 frame at `rgb` becomes yuv420p at `yuv` (Y, Cb, Cr planes), byte for
 * byte as {@link rgbToYuv420} computes it. Two rows of 16 pixels per step, each i32 lane one pixel; a row's last
 * step starts at width - 16 (so width >= 16, even), redoing some pixels with the same result.
 */
export function writeRgbToYuv420Module(): Uint8Array {
  const [width, height, rgb, yuv] = [0, 1, 2, 3];
  const c = new WasmCode([ValType.i32, ValType.i32, ValType.i32, ValType.i32]);
  const i32 = (): number => c.local(ValType.i32);
  const v128 = (): number => c.local(ValType.v128);
  const [row, column, start, top, stride, lumaTop, chromaPlane, chroma] = [i32(), i32(), i32(), i32(), i32(), i32(), i32(), i32()];

  const masks = [0, 1, 2].map((channel) => {
    const mask = v128();
    c.v128(channelMask(channel)).set(mask);
    return mask;
  });
  const splat = (value: number): number => {
    const local = v128();
    c.i32(value).simd(SimdOp.i32x4_splat).set(local);
    return local;
  };
  const lumaWeights = [splat(K.Y_R), splat(K.Y_G), splat(K.Y_B)] as const;
  const cbWeights = [splat(K.CB_R), splat(K.CB_G), splat(K.CB_B)] as const;
  const crWeights = [splat(K.CR_R), splat(K.CR_G), splat(K.CR_B)] as const;
  const lumaOffset = splat(K.Y_OFFSET);
  const chromaOffset = splat(K.C_OFFSET);

  const pixels = v128();
  const topChannels = [v128(), v128(), v128()] as const;
  const bottomChannels = [v128(), v128(), v128()] as const;
  const lumaTopLanes = [v128(), v128(), v128(), v128()];
  const lumaBottomLanes = [v128(), v128(), v128(), v128()];
  const cbSums = [v128(), v128(), v128(), v128()];
  const crSums = [v128(), v128(), v128(), v128()];

  const weighted = (channels: readonly number[], weights: Weights): void => {
    c.get(channels[0]!).get(weights[0]).simd(SimdOp.i32x4_mul);
    c.get(channels[1]!).get(weights[1]).simd(SimdOp.i32x4_mul).simd(SimdOp.i32x4_add);
    c.get(channels[2]!).get(weights[2]).simd(SimdOp.i32x4_mul).simd(SimdOp.i32x4_add);
  };
  const loadChannels = (address: () => void, offset: number, into: readonly number[]): void => {
    address();
    c.simdMemory(SimdMemoryOp.v128_load, 0, offset).set(pixels);
    masks.forEach((mask, channel) => c.get(pixels).get(mask).simd(SimdOp.i8x16_swizzle).set(into[channel]!));
  };
  const luma = (channels: readonly number[], into: number): void => {
    weighted(channels, lumaWeights);
    c.get(lumaOffset).simd(SimdOp.i32x4_add).i32(K.Y_SHIFT).simd(SimdOp.i32x4_shr_s).set(into);
  };
  /** Sixteen i32 lanes (values 0..255) in four locals, narrowed to 16 bytes on the stack. */
  const narrowSixteen = (lanes: readonly number[]): void => {
    c.get(lanes[0]!).get(lanes[1]!).simd(SimdOp.i16x8_narrow_i32x4_u);
    c.get(lanes[2]!).get(lanes[3]!).simd(SimdOp.i16x8_narrow_i32x4_u);
    c.simd(SimdOp.i8x16_narrow_i16x8_u);
  };
  /** Eight chroma bytes from the column sums of four vectors (adjacent lanes are one 2x2 block), stored at `at`. */
  const storeChroma = (plane: number, sums: readonly number[]): void => {
    c.get(plane).get(chroma).op(Op.i32_add);
    for (const pair of [0, 2]) {
      c.get(sums[pair]!).get(sums[pair + 1]!).shuffle(pairLanes(0));
      c.get(sums[pair]!).get(sums[pair + 1]!).shuffle(pairLanes(1)).simd(SimdOp.i32x4_add);
      c.get(chromaOffset).simd(SimdOp.i32x4_add).i32(K.C_SHIFT).simd(SimdOp.i32x4_shr_s);
    }
    c.simd(SimdOp.i16x8_narrow_i32x4_u).tee(pixels).get(pixels).simd(SimdOp.i8x16_narrow_i16x8_u);
    c.simdLaneMemory(SimdLaneMemoryOp.v128_store64_lane, 0, 0, 0);
  };

  c.get(width).i32(3).op(Op.i32_mul).set(stride);
  c.get(yuv).get(width).get(height).op(Op.i32_mul).op(Op.i32_add).set(chromaPlane);
  const crPlane = i32();
  c.get(chromaPlane).get(width).get(height).op(Op.i32_mul).i32(2).op(Op.i32_shr_u).op(Op.i32_add).set(crPlane);

  c.block().loop();
  c.get(row).get(height).op(Op.i32_ge_u).brIf(1);
  c.i32(0).set(column);
  c.loop();
  // start = min(column, width - 16)
  c.get(width).i32(KERNEL_BLOCK_PIXELS).op(Op.i32_sub).get(column);
  c.get(column).get(width).i32(KERNEL_BLOCK_PIXELS).op(Op.i32_sub).op(Op.i32_gt_s).op(Op.select).set(start);
  c.get(rgb).get(row).get(width).op(Op.i32_mul).get(start).op(Op.i32_add).i32(3).op(Op.i32_mul).op(Op.i32_add).set(top);
  c.get(yuv).get(row).get(width).op(Op.i32_mul).op(Op.i32_add).get(start).op(Op.i32_add).set(lumaTop);
  c.get(row).i32(1).op(Op.i32_shr_u).get(width).i32(1).op(Op.i32_shr_u).op(Op.i32_mul).get(start).i32(1).op(Op.i32_shr_u).op(Op.i32_add).set(chroma);
  for (let group = 0; group < KERNEL_BLOCK_PIXELS / PIXELS_PER_LOAD; group += 1) {
    const offset = group * PIXELS_PER_LOAD * 3;
    loadChannels(() => c.get(top), offset, topChannels);
    loadChannels(() => c.get(top).get(stride).op(Op.i32_add), offset, bottomChannels);
    luma(topChannels, lumaTopLanes[group]!);
    luma(bottomChannels, lumaBottomLanes[group]!);
    topChannels.forEach((channel, n) => c.get(channel).get(bottomChannels[n]!).simd(SimdOp.i32x4_add).set(channel));
    weighted(topChannels, cbWeights);
    c.set(cbSums[group]!);
    weighted(topChannels, crWeights);
    c.set(crSums[group]!);
  }
  c.get(lumaTop);
  narrowSixteen(lumaTopLanes);
  c.simdMemory(SimdMemoryOp.v128_store, 0);
  c.get(lumaTop).get(width).op(Op.i32_add);
  narrowSixteen(lumaBottomLanes);
  c.simdMemory(SimdMemoryOp.v128_store, 0);
  storeChroma(chromaPlane, cbSums);
  storeChroma(crPlane, crSums);
  c.get(column).i32(KERNEL_BLOCK_PIXELS).op(Op.i32_add).tee(column).get(width).op(Op.i32_lt_s).brIf(0);
  c.end();
  c.get(row).i32(2).op(Op.i32_add).set(row);
  c.br(0).end().end();

  return writeWasmModule({
    memory: { module: 'env', name: 'memory', minPages: 1 },
    functions: [{ name: 'convert', params: [ValType.i32, ValType.i32, ValType.i32, ValType.i32], results: [], locals: c.locals, code: c.code }],
  });
}
