import { MemoryOp, Op, SimdLaneMemoryOp, SimdLaneOp, SimdMemoryOp, SimdOp, WasmCode } from './wasm-code.ts';
import { ValType, type WasmFunction, writeWasmModule } from './wasm-module-writer.ts';

/**
 * The span kernels of warp-spans.ts (`opaqueSpan`, `blendedSpan`) as a WebAssembly module, the same integer
 * arithmetic to the last bit. The imported memory holds the portrait one pixel per 32-bit word from byte 0 and the
 * RGB frame further on (spans address it by byte offset). Exports:
 *   opaque_span(width, offset, count, su, sv, dux, dvx)
 *   blended_span(width, offset, count, su, sv, dux, dvx, a, dax)
 * `scalar` samples one channel at a time as the JavaScript does; `simd` forms the bilinear sums of the three channels
 * in the lanes of one vector (a dot product of 16-bit pairs across each row, then 32-bit products down the column).
 * Both read up to 3 bytes past a span's last pixel, so the frame needs that much room after it.
 */
export type WarpSpanVariant = 'scalar' | 'simd';

const { i32, f64, v128 } = ValType;
const SPAN_PARAMS = [i32, i32, i32, f64, f64, f64, f64] as const;
const BLENDED_PARAMS = [...SPAN_PARAMS, f64, f64] as const;
const [WIDTH, OFFSET, COUNT, SU, SV, DUX, DVX, A, DAX] = [0, 1, 2, 3, 4, 5, 6, 7, 8] as const;

/** Locals of the per-pixel bilinear sample. */
interface Sampler {
  /** Leaves the sample at the span's current position on the stack: an i32 r | g << 8 | b << 16 (scalar) or an i32x4 [r, g, b, 0] (simd). */
  sample(): void;
  /** Steps the position by one pixel. */
  step(): void;
}

function scalarSampler(c: WasmCode): Sampler {
  const [su8, sv8, fx, fy, p, q] = [c.local(i32), c.local(i32), c.local(i32), c.local(i32), c.local(i32), c.local(i32)];
  const [w00, w10, w01, w11, c00, c10, c01, c11] = Array.from({ length: 8 }, () => c.local(i32)) as [number, number, number, number, number, number, number, number];
  const channel = (shift: number): void => {
    const pairs: Array<[number, number]> = [[c00, w00], [c10, w10], [c01, w01], [c11, w11]];
    pairs.forEach(([colour, weight], k) => {
      c.get(colour);
      if (shift > 0) c.i32(shift).op(Op.i32_shr_u);
      if (shift < 16) c.i32(255).op(Op.i32_and);
      c.get(weight).op(Op.i32_mul);
      if (k > 0) c.op(Op.i32_add);
    });
    c.i32(32768).op(Op.i32_add).i32(16).op(Op.i32_shr_u);
  };
  return {
    sample() {
      c.get(SU).f64(256).op(Op.f64_mul).i32TruncSatF64().tee(su8).i32(255).op(Op.i32_and).set(fx);
      c.get(SV).f64(256).op(Op.f64_mul).i32TruncSatF64().tee(sv8).i32(255).op(Op.i32_and).set(fy);
      c.get(fx).get(fy).op(Op.i32_mul).set(w11);
      c.get(fx).i32(8).op(Op.i32_shl).get(w11).op(Op.i32_sub).set(w10);
      c.get(fy).i32(8).op(Op.i32_shl).get(w11).op(Op.i32_sub).set(w01);
      c.i32(65536).get(fx).i32(8).op(Op.i32_shl).op(Op.i32_sub).get(w01).op(Op.i32_sub).set(w00);
      c.get(sv8).i32(8).op(Op.i32_shr_s).get(WIDTH).op(Op.i32_mul).get(su8).i32(8).op(Op.i32_shr_s).op(Op.i32_add).i32(2).op(Op.i32_shl).tee(p);
      c.get(WIDTH).i32(2).op(Op.i32_shl).op(Op.i32_add).set(q);
      c.get(p).memory(MemoryOp.i32_load, 0, 0).set(c00);
      c.get(p).memory(MemoryOp.i32_load, 0, 4).set(c10);
      c.get(q).memory(MemoryOp.i32_load, 0, 0).set(c01);
      c.get(q).memory(MemoryOp.i32_load, 0, 4).set(c11);
      channel(0);
      channel(8);
      c.i32(8).op(Op.i32_shl).op(Op.i32_or);
      channel(16);
      c.i32(16).op(Op.i32_shl).op(Op.i32_or);
    },
    step() {
      c.get(SU).get(DUX).op(Op.f64_add).set(SU);
      c.get(SV).get(DVX).op(Op.f64_add).set(SV);
    },
  };
}

/**
 * Byte masks for `i8x16.swizzle` of the 2x2 neighbourhood [c00 c10 c01 c11] into 16-bit pairs. Z gives a zero byte
 * (any index past 15 does; with its top bit set it is a single pshufb on x64).
 */
const Z = 0x80;
const TOP_PAIRS = [0, Z, 4, Z, 1, Z, 5, Z, 2, Z, 6, Z, Z, Z, Z, Z];
const BOTTOM_PAIRS = [8, Z, 12, Z, 9, Z, 13, Z, 10, Z, 14, Z, Z, Z, Z, Z];

function i32x4Bytes(value: number): number[] {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  for (let lane = 0; lane < 4; lane++) view.setInt32(lane * 4, value, true);
  return [...bytes];
}

function simdSampler(c: WasmCode): Sampler {
  const [position, stride, fixed, quad, scale, half] = [c.local(v128), c.local(v128), c.local(v128), c.local(v128), c.local(v128), c.local(v128)];
  const [su8, sv8, fx, fy, p] = [c.local(i32), c.local(i32), c.local(i32), c.local(i32), c.local(i32)];
  // The position [su, sv] and its step [dux, dvx] in the two lanes of an f64x2: one addition steps both.
  c.get(SU).simd(SimdOp.f64x2_splat).get(SV).simdLane(SimdLaneOp.f64x2_replace_lane, 1).set(position);
  c.get(DUX).simd(SimdOp.f64x2_splat).get(DVX).simdLane(SimdLaneOp.f64x2_replace_lane, 1).set(stride);
  c.f64(256).simd(SimdOp.f64x2_splat).set(scale);
  c.v128(i32x4Bytes(32768)).set(half);
  return {
    sample() {
      c.get(position).get(scale).simd(SimdOp.f64x2_mul).simd(SimdOp.i32x4_trunc_sat_f64x2_s_zero).tee(fixed);
      c.simdLane(SimdLaneOp.i32x4_extract_lane, 0).tee(su8).i32(255).op(Op.i32_and).set(fx);
      c.get(fixed).simdLane(SimdLaneOp.i32x4_extract_lane, 1).tee(sv8).i32(255).op(Op.i32_and).set(fy);
      c.get(sv8).i32(8).op(Op.i32_shr_s).get(WIDTH).op(Op.i32_mul).get(su8).i32(8).op(Op.i32_shr_s).op(Op.i32_add).i32(2).op(Op.i32_shl).set(p);
      // [c00 c10 c01 c11]: two words of this row, two of the next.
      c.get(p).get(WIDTH).i32(2).op(Op.i32_shl).op(Op.i32_add);
      c.get(p).simdMemory(SimdMemoryOp.v128_load64_zero, 0);
      c.simdLaneMemory(SimdLaneMemoryOp.v128_load64_lane, 0, 0, 1).set(quad);
      // Across each row: c0 * (256 - fx) + c1 * fx per channel (at most 255 * 256, one 32-bit lane per channel).
      const acrossRow = (mask: number[]): void => {
        c.get(quad).v128(mask).simd(SimdOp.i8x16_swizzle);
        c.get(fx).i32(16).op(Op.i32_shl).i32(256).get(fx).op(Op.i32_sub).op(Op.i32_or).simd(SimdOp.i32x4_splat);
        c.simd(SimdOp.i32x4_dot_i16x8_s);
      };
      acrossRow(TOP_PAIRS);
      c.i32(256).get(fy).op(Op.i32_sub).simd(SimdOp.i32x4_splat).simd(SimdOp.i32x4_mul);
      acrossRow(BOTTOM_PAIRS);
      c.get(fy).simd(SimdOp.i32x4_splat).simd(SimdOp.i32x4_mul).simd(SimdOp.i32x4_add);
      c.get(half).simd(SimdOp.i32x4_add).i32(16).simd(SimdOp.i32x4_shr_u);
    },
    step() {
      c.get(position).get(stride).simd(SimdOp.f64x2_add).set(position);
    },
  };
}

/** The loop over the span's pixels: `pixel` with the destination byte offset in local `offset`. */
function spanLoop(c: WasmCode, sampler: Sampler, pixel: () => void, stepOpacity: () => void): void {
  c.block();
  c.get(COUNT).i32(0).op(Op.i32_le_s).brIf(0);
  c.loop();
  pixel();
  sampler.step();
  stepOpacity();
  c.get(OFFSET).i32(3).op(Op.i32_add).set(OFFSET);
  c.get(COUNT).i32(1).op(Op.i32_sub).tee(COUNT).i32(0).op(Op.i32_gt_s).brIf(0);
  c.end();
  c.end();
}

function opaqueSpanFunction(variant: WarpSpanVariant): WasmFunction {
  const c = new WasmCode(SPAN_PARAMS);
  const sampler = variant === 'simd' ? simdSampler(c) : scalarSampler(c);
  if (variant === 'scalar') {
    const rgb = c.local(i32);
    spanLoop(c, sampler, () => {
      sampler.sample();
      c.set(rgb);
      c.get(OFFSET).get(rgb).memory(MemoryOp.i32_store8, 0, 0);
      c.get(OFFSET).get(rgb).i32(8).op(Op.i32_shr_u).memory(MemoryOp.i32_store8, 0, 1);
      c.get(OFFSET).get(rgb).i32(16).op(Op.i32_shr_u).memory(MemoryOp.i32_store8, 0, 2);
    }, () => {});
  } else {
    // One 4-byte store per pixel: its fourth byte is the next pixel's first, written after it; the byte after the
    // span is kept and put back.
    const [after, end] = [c.local(i32), c.local(i32)];
    c.get(OFFSET).get(COUNT).i32(3).op(Op.i32_mul).op(Op.i32_add).tee(end).memory(MemoryOp.i32_load8_u, 0, 0).set(after);
    spanLoop(c, sampler, () => {
      c.get(OFFSET);
      sampler.sample();
      narrowToBytes(c);
      c.simdLane(SimdLaneOp.i32x4_extract_lane, 0).memory(MemoryOp.i32_store, 0, 0);
    }, () => {});
    c.get(end).get(after).memory(MemoryOp.i32_store8, 0, 0);
  }
  return { name: 'opaque_span', params: SPAN_PARAMS, results: [], locals: c.locals, code: c.code };
}

/** i32x4 [r, g, b, 0] (each at most 255) to bytes [r, g, b, 0, ...]. */
function narrowToBytes(c: WasmCode): void {
  const lanes = c.local(v128);
  c.tee(lanes).get(lanes).simd(SimdOp.i16x8_narrow_i32x4_u).tee(lanes).get(lanes).simd(SimdOp.i8x16_narrow_i16x8_u);
}

function blendedSpanFunction(variant: WarpSpanVariant): WasmFunction {
  const c = new WasmCode(BLENDED_PARAMS);
  const sampler = variant === 'simd' ? simdSampler(c) : scalarSampler(c);
  const [k, keep, rgb] = [c.local(i32), c.local(i32), c.local(i32)];
  const blended = c.local(v128);
  spanLoop(c, sampler, () => {
    c.block();
    // k = a <= 0 ? 0 : a >= 1 ? 256 : (a * 256) | 0; a pixel of opacity 0 keeps its value.
    c.get(A).f64(0).op(Op.f64_le).brIf(0);
    c.i32(256).get(A).f64(256).op(Op.f64_mul).i32TruncSatF64().get(A).f64(1).op(Op.f64_ge).op(Op.select).tee(k);
    c.op(Op.i32_eqz).brIf(0);
    c.i32(256).get(k).op(Op.i32_sub).set(keep);
    sampler.sample();
    if (variant === 'scalar') {
      c.set(rgb);
      for (let channel = 0; channel < 3; channel++) {
        c.get(OFFSET);
        c.get(OFFSET).memory(MemoryOp.i32_load8_u, 0, channel).get(keep).op(Op.i32_mul);
        c.get(rgb);
        if (channel > 0) c.i32(channel * 8).op(Op.i32_shr_u);
        if (channel < 2) c.i32(255).op(Op.i32_and);
        c.get(k).op(Op.i32_mul).op(Op.i32_add).i32(128).op(Op.i32_add).i32(8).op(Op.i32_shr_u);
        c.memory(MemoryOp.i32_store8, 0, channel);
      }
    } else {
      // In 16-bit lanes: out * keep + sample * k + 128 is at most 255 * 256 + 128.
      c.tee(blended).get(blended).simd(SimdOp.i16x8_narrow_i32x4_u).get(k).simd(SimdOp.i16x8_splat).simd(SimdOp.i16x8_mul);
      c.get(OFFSET).simdMemory(SimdMemoryOp.v128_load32_zero, 0).simd(SimdOp.i16x8_extend_low_i8x16_u);
      c.get(keep).simd(SimdOp.i16x8_splat).simd(SimdOp.i16x8_mul).simd(SimdOp.i16x8_add);
      c.i32(128).simd(SimdOp.i16x8_splat).simd(SimdOp.i16x8_add).i32(8).simd(SimdOp.i16x8_shr_u);
      c.tee(blended).get(blended).simd(SimdOp.i8x16_narrow_i16x8_u).set(blended);
      c.get(OFFSET).get(blended).simdLaneMemory(SimdLaneMemoryOp.v128_store16_lane, 0, 0, 0);
      c.get(OFFSET).get(blended).simdLaneMemory(SimdLaneMemoryOp.v128_store8_lane, 0, 2, 2);
    }
    c.end();
  }, () => c.get(A).get(DAX).op(Op.f64_add).set(A));
  return { name: 'blended_span', params: BLENDED_PARAMS, results: [], locals: c.locals, code: c.code };
}

export function writeWarpSpanModule(variant: WarpSpanVariant): Uint8Array {
  return writeWasmModule({
    memory: { module: 'env', name: 'memory', minPages: 1 },
    functions: [opaqueSpanFunction(variant), blendedSpanFunction(variant)],
  });
}
