import { type ValType, signedLeb128, unsignedLeb128 } from './wasm-module-writer.ts';

/** Opcodes without immediates (https://webassembly.github.io/spec/core/binary/instructions.html). */
export const Op = {
  else: 0x05, end: 0x0b, return: 0x0f, drop: 0x1a, select: 0x1b,
  i32_eqz: 0x45, i32_eq: 0x46, i32_ne: 0x47, i32_lt_s: 0x48, i32_lt_u: 0x49, i32_gt_s: 0x4a, i32_le_s: 0x4c, i32_ge_s: 0x4e, i32_ge_u: 0x4f,
  f64_eq: 0x61, f64_lt: 0x63, f64_gt: 0x64, f64_le: 0x65, f64_ge: 0x66,
  i32_add: 0x6a, i32_sub: 0x6b, i32_mul: 0x6c, i32_and: 0x71, i32_or: 0x72, i32_shl: 0x74, i32_shr_s: 0x75, i32_shr_u: 0x76,
  f64_ceil: 0x9b, f64_add: 0xa0, f64_sub: 0xa1, f64_mul: 0xa2, f64_min: 0xa4, f64_max: 0xa5, f64_convert_i32_s: 0xb7,
} as const;

/** Memory instructions; each takes an alignment (log2 bytes) and an offset. */
export const MemoryOp = {
  i32_load: 0x28, i32_load8_u: 0x2d, i32_store: 0x36, i32_store8: 0x3a, i32_store16: 0x3b,
} as const;

/** SIMD instructions without immediates (prefix 0xfd; https://webassembly.github.io/spec/core/binary/instructions.html#vector-instructions). */
export const SimdOp = {
  i8x16_swizzle: 0x0e, i16x8_splat: 0x10, i32x4_splat: 0x11, f64x2_splat: 0x14,
  v128_and: 0x4e, v128_or: 0x50,
  i8x16_narrow_i16x8_u: 0x66, i8x16_add_sat_u: 0x70, i8x16_sub_sat_u: 0x73,
  i16x8_narrow_i32x4_u: 0x86, i16x8_extend_low_i8x16_u: 0x89, i16x8_shr_u: 0x8d, i16x8_add: 0x8e, i16x8_sub: 0x91, i16x8_mul: 0x95,
  i32x4_shr_s: 0xac, i32x4_shr_u: 0xad, i32x4_add: 0xae, i32x4_sub: 0xb1, i32x4_mul: 0xb5, i32x4_dot_i16x8_s: 0xba,
  f64x2_trunc: 0x7a, f64x2_add: 0xf0, f64x2_mul: 0xf2,
} as const;

/** SIMD memory instructions (alignment and offset). */
export const SimdMemoryOp = { v128_load: 0x00, v128_store: 0x0b, v128_load32_zero: 0x5c, v128_load64_zero: 0x5d } as const;

/** SIMD memory instructions on one lane (alignment, offset and lane). */
export const SimdLaneMemoryOp = { v128_load64_lane: 0x57, v128_store8_lane: 0x58, v128_store16_lane: 0x59, v128_store64_lane: 0x5b } as const;

/** SIMD lane instructions (lane index immediate). */
export const SimdLaneOp = { i32x4_extract_lane: 0x1b, f64x2_replace_lane: 0x22 } as const;

const SIMD_PREFIX = 0xfd;
const SATURATING_PREFIX = 0xfc;
const I32_TRUNC_SAT_F64_S = 0x02;
const BLOCK_VOID = 0x40;

/**
 * The instructions of one function body, written in order (a stack machine); locals after the parameters are
 * declared with `local`.
 */
export class WasmCode {
  readonly code: number[] = [];
  readonly locals: ValType[] = [];

  constructor(private readonly params: readonly ValType[]) {}

  /** Declares a local of `type`; returns its index. */
  local(type: ValType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  op(...opcodes: number[]): this {
    this.code.push(...opcodes);
    return this;
  }

  get(index: number): this {
    return this.op(0x20, ...unsignedLeb128(index));
  }

  set(index: number): this {
    return this.op(0x21, ...unsignedLeb128(index));
  }

  tee(index: number): this {
    return this.op(0x22, ...unsignedLeb128(index));
  }

  i32(value: number): this {
    return this.op(0x41, ...signedLeb128(value));
  }

  f64(value: number): this {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, value, true);
    return this.op(0x44, ...bytes);
  }

  /** `i32.trunc_sat_f64_s`: truncation toward zero, as `x | 0` for |x| < 2^31 (saturating instead of wrapping). */
  i32TruncSatF64(): this {
    return this.op(SATURATING_PREFIX, I32_TRUNC_SAT_F64_S);
  }

  memory(opcode: number, alignLog2: number, offset = 0): this {
    return this.op(opcode, ...unsignedLeb128(alignLog2), ...unsignedLeb128(offset));
  }

  simd(opcode: number): this {
    return this.op(SIMD_PREFIX, ...unsignedLeb128(opcode));
  }

  simdMemory(opcode: number, alignLog2: number, offset = 0): this {
    return this.simd(opcode).op(...unsignedLeb128(alignLog2), ...unsignedLeb128(offset));
  }

  simdLaneMemory(opcode: number, alignLog2: number, offset: number, lane: number): this {
    return this.simdMemory(opcode, alignLog2, offset).op(lane);
  }

  simdLane(opcode: number, lane: number): this {
    return this.simd(opcode).op(lane);
  }

  /** `v128.const` of sixteen bytes. */
  v128(bytes: readonly number[]): this {
    if (bytes.length !== 16) throw new RangeError(`v128.const takes 16 bytes, got ${bytes.length}`);
    return this.simd(0x0c).op(...bytes);
  }

  /** `i8x16.shuffle`: byte i of the result is byte `lanes[i]` of the two operands taken as one 32-byte vector. */
  shuffle(lanes: readonly number[]): this {
    if (lanes.length !== 16 || lanes.some((lane) => !Number.isInteger(lane) || lane < 0 || lane > 31)) {
      throw new RangeError(`i8x16.shuffle takes 16 lanes in 0..31, got ${lanes.join(',')}`);
    }
    return this.simd(0x0d).op(...lanes);
  }

  /** Structured control: `block`, `loop` and `if` without results, closed by `end()`. */
  block(): this {
    return this.op(0x02, BLOCK_VOID);
  }

  loop(): this {
    return this.op(0x03, BLOCK_VOID);
  }

  if(): this {
    return this.op(0x04, BLOCK_VOID);
  }

  end(): this {
    return this.op(Op.end);
  }

  /** Branch to the `depth`-th enclosing block (0: innermost); a loop's label is its start. */
  br(depth: number): this {
    return this.op(0x0c, ...unsignedLeb128(depth));
  }

  brIf(depth: number): this {
    return this.op(0x0d, ...unsignedLeb128(depth));
  }
}
