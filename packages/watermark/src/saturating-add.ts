import { compiledOnce, Op, SimdMemoryOp, SimdOp, ValType, WasmCode, webAssembly, writeWasmModule } from '@portrait-farm/wasm-writer';

const V128_BYTES = 16;
const PAGE = 65536;

/**
 * `apply(length)`: bytes [0, length) of the memory become min(255, max(0, byte + add - sub)), `add` at [length,
 * 2 length) and `sub` at [2 length, 3 length), sixteen bytes at a time (`length` a multiple of 16).
 */
export function writeSaturatingAddModule(): Uint8Array {
  const code = new WasmCode([ValType.i32]);
  const length = 0;
  const at = code.local(ValType.i32);
  code.block().loop();
  code.get(at).get(length).op(Op.i32_ge_u).brIf(1);
  code.get(at);
  code.get(at).simdMemory(SimdMemoryOp.v128_load, 0);
  code.get(at).get(length).op(Op.i32_add).simdMemory(SimdMemoryOp.v128_load, 0).simd(SimdOp.i8x16_add_sat_u);
  code.get(at).get(length).op(Op.i32_add).get(length).op(Op.i32_add).simdMemory(SimdMemoryOp.v128_load, 0).simd(SimdOp.i8x16_sub_sat_u);
  code.simdMemory(SimdMemoryOp.v128_store, 0);
  code.get(at).i32(V128_BYTES).op(Op.i32_add).set(at);
  code.br(0).end().end();
  return writeWasmModule({
    memory: { module: 'env', name: 'memory', minPages: 1 },
    functions: [{ name: 'apply', params: [ValType.i32], results: [], locals: code.locals, code: code.code }],
  });
}

const saturatingAddModule = compiledOnce(writeSaturatingAddModule);

/** Adds one fixed change per byte to byte arrays of one length, clamped to 0..255. */
export interface ByteChange {
  /** Adds the change to `data` in place. */
  apply(data: Uint8Array): void;
}

/**
 * The change `delta` (one signed value per byte, any magnitude) as a {@link ByteChange}: WebAssembly SIMD where the
 * runtime compiles it (unless `simd` is false), else a Uint8ClampedArray loop. Both give
 * min(255, max(0, byte + delta)).
 */
export function byteChange(delta: Int16Array, simd = true): ByteChange {
  const module = simd ? saturatingAddModule() : null;
  if (module === null || webAssembly === null) return clampedLoop(delta);
  const length = Math.ceil(delta.length / V128_BYTES) * V128_BYTES;
  const memory = new webAssembly.Memory({ initial: Math.ceil((3 * length) / PAGE) });
  const instance = new webAssembly.Instance(module, { env: { memory } });
  const run = instance.exports['apply'] as (length: number) => void;
  const bytes = new Uint8Array(memory.buffer);
  for (let i = 0; i < delta.length; i += 1) {
    const d = delta[i]!;
    bytes[length + i] = d > 0 ? Math.min(255, d) : 0;
    bytes[2 * length + i] = d < 0 ? Math.min(255, -d) : 0;
  }
  const frame = bytes.subarray(0, delta.length);
  return {
    apply(data) {
      if (data.length !== delta.length) throw new RangeError(`the change covers ${delta.length} bytes, the data has ${data.length}`);
      frame.set(data);
      run(length);
      data.set(frame);
    },
  };
}

function clampedLoop(delta: Int16Array): ByteChange {
  return {
    apply(data) {
      if (data.length !== delta.length) throw new RangeError(`the change covers ${delta.length} bytes, the data has ${data.length}`);
      const clamped = new Uint8ClampedArray(data.buffer, data.byteOffset, data.length);
      for (let i = 0; i < delta.length; i += 1) clamped[i] = clamped[i]! + delta[i]!;
    },
  };
}
