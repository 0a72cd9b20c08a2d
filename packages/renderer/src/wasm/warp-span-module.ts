import { MemoryOp, Op, SimdLaneMemoryOp, SimdLaneOp, SimdMemoryOp, SimdOp, ValType, WasmCode, type WasmFunction, writeWasmModule } from '@portrait-farm/wasm-writer';

/**
 * The span kernels of warp-spans.ts (`opaqueSpan`, `blendedSpan`) and warpTriangles' walk over a triangle's rows as
 * a WebAssembly module, the same arithmetic to the last bit. The imported memory holds the portrait one pixel per
 * 32-bit word from byte 0 and the RGB frame further on (spans address it by byte offset). Exports:
 *   opaque_span / blended_span(width, offset, count, su, sv, dux, dvx, a, dax): one span
 *   opaque_triangle / blended_triangle(...): every span of one triangle (see `triangleFunction`)
 * `scalar` samples one channel at a time as the JavaScript does; `simd` forms the bilinear sums of the three channels
 * in the lanes of one vector (a dot product of 16-bit pairs across each row, then 32-bit products down the column).
 * Both read up to 3 bytes past a span's last pixel, so the frame needs that much room after it.
 */
export type WarpSpanVariant = 'scalar' | 'simd';

const { i32, f64, v128 } = ValType;

/** The locals (or parameters) a span works on, by index; the loop consumes `offset`, `count`, `su`, `sv` and `a`. */
interface SpanLocals {
  width: number;
  /** Byte offset of the span's first pixel in the memory. */
  offset: number;
  count: number;
  su: number;
  sv: number;
  dux: number;
  dvx: number;
  /** Opacity and its step (blended spans). */
  a: number;
  dax: number;
}

/** The per-pixel bilinear sample. */
interface Sampler {
  /** Before a span's loop: takes its start position and step. */
  begin(): void;
  /** Leaves the sample at the span's current position on the stack: an i32 r | g << 8 | b << 16 (scalar) or an i32x4 [r, g, b, 0] (simd). */
  sample(): void;
  /** Steps the position by one pixel. */
  step(): void;
}

function scalarSampler(c: WasmCode, { width: WIDTH, su: SU, sv: SV, dux: DUX, dvx: DVX }: SpanLocals): Sampler {
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
    begin() {},
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

function simdSampler(c: WasmCode, { width: WIDTH, su: SU, sv: SV, dux: DUX, dvx: DVX }: SpanLocals): Sampler {
  const [position, stride, fixed, quad, scale, half, magic] = Array.from({ length: 7 }, () => c.local(v128)) as [number, number, number, number, number, number, number];
  const [su8, sv8, fx, fy, p] = [c.local(i32), c.local(i32), c.local(i32), c.local(i32), c.local(i32)];
  c.f64(256).simd(SimdOp.f64x2_splat).set(scale);
  c.v128(i32x4Bytes(32768)).set(half);
  c.f64(2 ** 52).simd(SimdOp.f64x2_splat).set(magic);
  return {
    begin() {
      // The position [su, sv] and its step [dux, dvx] in the two lanes of an f64x2: one addition steps both.
      c.get(SU).simd(SimdOp.f64x2_splat).get(SV).simdLane(SimdLaneOp.f64x2_replace_lane, 1).set(position);
      c.get(DUX).simd(SimdOp.f64x2_splat).get(DVX).simdLane(SimdLaneOp.f64x2_replace_lane, 1).set(stride);
    },
    sample() {
      // Truncated, then 2^52 added: an integer n with |n| < 2^31 is then the low 32 bits of the lane (n | 0).
      c.get(position).get(scale).simd(SimdOp.f64x2_mul).simd(SimdOp.f64x2_trunc).get(magic).simd(SimdOp.f64x2_add).tee(fixed);
      c.simdLane(SimdLaneOp.i32x4_extract_lane, 0).tee(su8).i32(255).op(Op.i32_and).set(fx);
      c.get(fixed).simdLane(SimdLaneOp.i32x4_extract_lane, 2).tee(sv8).i32(255).op(Op.i32_and).set(fy);
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

/** The loop over the span's pixels: `pixel` with the destination byte offset in `L.offset`. */
function spanLoop(c: WasmCode, L: SpanLocals, sampler: Sampler, pixel: () => void, stepOpacity: () => void): void {
  c.block();
  c.get(L.count).i32(0).op(Op.i32_le_s).brIf(0);
  sampler.begin();
  c.loop();
  pixel();
  sampler.step();
  stepOpacity();
  c.get(L.offset).i32(3).op(Op.i32_add).set(L.offset);
  c.get(L.count).i32(1).op(Op.i32_sub).tee(L.count).i32(0).op(Op.i32_gt_s).brIf(0);
  c.end();
  c.end();
}

/** Emits span loops of one kind; its locals are declared once per function. */
type SpanWriter = () => void;

function opaqueSpanWriter(c: WasmCode, L: SpanLocals, variant: WarpSpanVariant): SpanWriter {
  const sampler = variant === 'simd' ? simdSampler(c, L) : scalarSampler(c, L);
  if (variant === 'scalar') {
    const rgb = c.local(i32);
    return () => spanLoop(c, L, sampler, () => {
      sampler.sample();
      c.set(rgb);
      c.get(L.offset).get(rgb).memory(MemoryOp.i32_store8, 0, 0);
      c.get(L.offset).get(rgb).i32(8).op(Op.i32_shr_u).memory(MemoryOp.i32_store8, 0, 1);
      c.get(L.offset).get(rgb).i32(16).op(Op.i32_shr_u).memory(MemoryOp.i32_store8, 0, 2);
    }, () => {});
  }
  const [after, end, lanes] = [c.local(i32), c.local(i32), c.local(v128)];
  return () => {
    // One 4-byte store per pixel: its fourth byte is the next pixel's first, written after it; the byte after the
    // span is kept and put back.
    c.get(L.offset).get(L.count).i32(3).op(Op.i32_mul).op(Op.i32_add).tee(end).memory(MemoryOp.i32_load8_u, 0, 0).set(after);
    spanLoop(c, L, sampler, () => {
      c.get(L.offset);
      sampler.sample();
      narrowToBytes(c, lanes);
      c.simdLane(SimdLaneOp.i32x4_extract_lane, 0).memory(MemoryOp.i32_store, 0, 0);
    }, () => {});
    c.get(end).get(after).memory(MemoryOp.i32_store8, 0, 0);
  };
}

/** i32x4 [r, g, b, 0] (each at most 255) to bytes [r, g, b, 0, ...], through the scratch local `lanes`. */
function narrowToBytes(c: WasmCode, lanes: number): void {
  c.tee(lanes).get(lanes).simd(SimdOp.i16x8_narrow_i32x4_u).tee(lanes).get(lanes).simd(SimdOp.i8x16_narrow_i16x8_u);
}

function blendedSpanWriter(c: WasmCode, L: SpanLocals, variant: WarpSpanVariant): SpanWriter {
  const sampler = variant === 'simd' ? simdSampler(c, L) : scalarSampler(c, L);
  const [k, keep, rgb] = [c.local(i32), c.local(i32), c.local(i32)];
  const [blended, rounding] = [c.local(v128), c.local(v128)];
  if (variant === 'simd') c.i32(128).simd(SimdOp.i16x8_splat).set(rounding);
  return () => spanLoop(c, L, sampler, () => {
    c.block();
    // k = a <= 0 ? 0 : a >= 1 ? 256 : (a * 256) | 0; a pixel of opacity 0 keeps its value.
    c.get(L.a).f64(0).op(Op.f64_le).brIf(0);
    c.i32(256).get(L.a).f64(256).op(Op.f64_mul).i32TruncSatF64().get(L.a).f64(1).op(Op.f64_ge).op(Op.select).tee(k);
    c.op(Op.i32_eqz).brIf(0);
    c.i32(256).get(k).op(Op.i32_sub).set(keep);
    sampler.sample();
    if (variant === 'scalar') {
      c.set(rgb);
      for (let channel = 0; channel < 3; channel++) {
        c.get(L.offset);
        c.get(L.offset).memory(MemoryOp.i32_load8_u, 0, channel).get(keep).op(Op.i32_mul);
        c.get(rgb);
        if (channel > 0) c.i32(channel * 8).op(Op.i32_shr_u);
        if (channel < 2) c.i32(255).op(Op.i32_and);
        c.get(k).op(Op.i32_mul).op(Op.i32_add).i32(128).op(Op.i32_add).i32(8).op(Op.i32_shr_u);
        c.memory(MemoryOp.i32_store8, 0, channel);
      }
    } else {
      // In 16-bit lanes: out * keep + sample * k + 128 is at most 255 * 256 + 128.
      c.tee(blended).get(blended).simd(SimdOp.i16x8_narrow_i32x4_u).get(k).simd(SimdOp.i16x8_splat).simd(SimdOp.i16x8_mul);
      c.get(L.offset).simdMemory(SimdMemoryOp.v128_load32_zero, 0).simd(SimdOp.i16x8_extend_low_i8x16_u);
      c.get(keep).simd(SimdOp.i16x8_splat).simd(SimdOp.i16x8_mul).simd(SimdOp.i16x8_add);
      c.get(rounding).simd(SimdOp.i16x8_add).i32(8).simd(SimdOp.i16x8_shr_u);
      c.tee(blended).get(blended).simd(SimdOp.i8x16_narrow_i16x8_u).set(blended);
      c.get(L.offset).get(blended).simdLaneMemory(SimdLaneMemoryOp.v128_store16_lane, 0, 0, 0);
      c.get(L.offset).get(blended).simdLaneMemory(SimdLaneMemoryOp.v128_store8_lane, 0, 2, 2);
    }
    c.end();
  }, () => c.get(L.a).get(L.dax).op(Op.f64_add).set(L.a));
}

type Blending = 'opaque' | 'blended';

function spanWriter(c: WasmCode, L: SpanLocals, variant: WarpSpanVariant, blending: Blending): SpanWriter {
  return blending === 'opaque' ? opaqueSpanWriter(c, L, variant) : blendedSpanWriter(c, L, variant);
}

/** opaque_span / blended_span(width, offset, count, su, sv, dux, dvx, a, dax): one span. */
function spanFunction(variant: WarpSpanVariant, blending: Blending): WasmFunction {
  const params = [i32, i32, i32, f64, f64, f64, f64, f64, f64];
  const c = new WasmCode(params);
  const L: SpanLocals = { width: 0, offset: 1, count: 2, su: 3, sv: 4, dux: 5, dvx: 6, a: 7, dax: 8 };
  spanWriter(c, L, variant, blending)();
  return { name: `${blending}_span`, params, results: [], locals: c.locals, code: c.code };
}

/**
 * opaque_triangle / blended_triangle: the rows yStart..yEnd of one triangle as warpTriangles walks them (its
 * floating-point steps in the same order), each row's span drawn at once. Parameters: width, frameBase, yStart,
 * yEnd (i32); then per edge (three) its upper x, top, bottom and slope; then x0, y0, u0, v0, a0, dux, duy, dvx, dvy,
 * dax, day (f64).
 */
function triangleFunction(variant: WarpSpanVariant, blending: Blending): WasmFunction {
  const params = [i32, i32, i32, i32, ...Array.from({ length: 12 + 11 }, () => f64)];
  const c = new WasmCode(params);
  const [WIDTH, FRAME_BASE, Y, Y_END] = [0, 1, 2, 3];
  const EDGES = 4;
  const [X0, Y0, U0, V0, A0, DUX, DUY, DVX, DVY, DAX, DAY] = Array.from({ length: 11 }, (_, i) => 16 + i) as [number, number, number, number, number, number, number, number, number, number, number];
  const [offset, count] = [c.local(i32), c.local(i32)];
  const [su, sv, a, yc, xl, xr, x, xs, xe, fx, fy, maxX] = Array.from({ length: 12 }, () => c.local(f64)) as [number, number, number, number, number, number, number, number, number, number, number, number];
  const L: SpanLocals = { width: WIDTH, offset, count, su, sv, dux: DUX, dvx: DVX, a, dax: DAX };
  const span = spanWriter(c, L, variant, blending);
  c.get(WIDTH).i32(1).op(Op.i32_sub).op(Op.f64_convert_i32_s).set(maxX);
  c.block().loop();
  c.get(Y).get(Y_END).op(Op.i32_gt_s).brIf(1);
  c.block();
  c.get(Y).op(Op.f64_convert_i32_s).f64(0.5).op(Op.f64_add).set(yc);
  c.f64(Infinity).set(xl).f64(-Infinity).set(xr);
  for (let e = 0; e < 3; e++) {
    const [edgeX, top, bottom, slope] = [EDGES + e * 4, EDGES + e * 4 + 1, EDGES + e * 4 + 2, EDGES + e * 4 + 3];
    c.get(yc).get(top).op(Op.f64_ge).get(yc).get(bottom).op(Op.f64_lt).op(Op.i32_and).if();
    c.get(edgeX).get(yc).get(top).op(Op.f64_sub).get(slope).op(Op.f64_mul).op(Op.f64_add).set(x);
    c.get(x).get(xl).op(Op.f64_lt).if().get(x).set(xl).end();
    c.get(x).get(xr).op(Op.f64_gt).if().get(x).set(xr).end();
    c.end();
  }
  c.get(xl).get(xr).op(Op.f64_gt).brIf(0);
  c.f64(0).get(xl).f64(0.5).op(Op.f64_sub).op(Op.f64_ceil).op(Op.f64_max).set(xs);
  c.get(maxX).get(xr).f64(0.5).op(Op.f64_sub).op(Op.f64_ceil).f64(1).op(Op.f64_sub).op(Op.f64_min).set(xe);
  c.get(xs).get(xe).op(Op.f64_gt).brIf(0);
  c.get(xs).f64(0.5).op(Op.f64_add).get(X0).op(Op.f64_sub).set(fx);
  c.get(yc).get(Y0).op(Op.f64_sub).set(fy);
  c.get(U0).get(DUX).get(fx).op(Op.f64_mul).op(Op.f64_add).get(DUY).get(fy).op(Op.f64_mul).op(Op.f64_add).f64(0.5).op(Op.f64_sub).set(su);
  c.get(V0).get(DVX).get(fx).op(Op.f64_mul).op(Op.f64_add).get(DVY).get(fy).op(Op.f64_mul).op(Op.f64_add).f64(0.5).op(Op.f64_sub).set(sv);
  c.get(A0).get(DAX).get(fx).op(Op.f64_mul).op(Op.f64_add).get(DAY).get(fy).op(Op.f64_mul).op(Op.f64_add).set(a);
  c.get(FRAME_BASE).get(Y).get(WIDTH).op(Op.i32_mul).get(xs).i32TruncSatF64().op(Op.i32_add).i32(3).op(Op.i32_mul).op(Op.i32_add).set(offset);
  c.get(xe).i32TruncSatF64().get(xs).i32TruncSatF64().op(Op.i32_sub).i32(1).op(Op.i32_add).set(count);
  span();
  c.end();
  c.get(Y).i32(1).op(Op.i32_add).set(Y).br(0);
  c.end().end();
  return { name: `${blending}_triangle`, params, results: [], locals: c.locals, code: c.code };
}

export function writeWarpSpanModule(variant: WarpSpanVariant): Uint8Array {
  return writeWasmModule({
    memory: { module: 'env', name: 'memory', minPages: 1 },
    functions: [
      spanFunction(variant, 'opaque'), spanFunction(variant, 'blended'),
      triangleFunction(variant, 'opaque'), triangleFunction(variant, 'blended'),
    ],
  });
}
