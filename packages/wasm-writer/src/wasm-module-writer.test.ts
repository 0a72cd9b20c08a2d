import { describe, expect, it } from 'vitest';
import { MemoryOp, Op, SimdLaneMemoryOp, SimdMemoryOp, SimdOp, WasmCode } from './wasm-code.ts';
import { ValType, signedLeb128, unsignedLeb128, writeWasmModule } from './wasm-module-writer.ts';
import { webAssembly } from './webassembly-api.ts';

describe('LEB128', () => {
  it('encodes unsigned integers as the specification shows', () => {
    expect(unsignedLeb128(0)).toEqual([0]);
    expect(unsignedLeb128(127)).toEqual([0x7f]);
    expect(unsignedLeb128(128)).toEqual([0x80, 0x01]);
    expect(unsignedLeb128(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(unsignedLeb128(0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(() => unsignedLeb128(-1)).toThrow(/got -1/);
  });

  it('encodes signed integers with their sign in the last byte', () => {
    expect(signedLeb128(0)).toEqual([0]);
    expect(signedLeb128(63)).toEqual([0x3f]);
    expect(signedLeb128(64)).toEqual([0xc0, 0x00]);
    expect(signedLeb128(-1)).toEqual([0x7f]);
    expect(signedLeb128(-64)).toEqual([0x40]);
    expect(signedLeb128(-65)).toEqual([0xbf, 0x7f]);
    expect(signedLeb128(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(signedLeb128(65536)).toEqual([0x80, 0x80, 0x04]);
    expect(() => signedLeb128(2 ** 31)).toThrow(/got 2147483648/);
  });
});

describe('writeWasmModule', () => {
  it('writes a module that the runtime validates and runs: a loop summing bytes of the imported memory', () => {
    const params = [ValType.i32, ValType.i32] as const;
    const c = new WasmCode(params);
    const sum = c.local(ValType.i32);
    // sum_bytes(start, count): sum of count bytes from start, as a loop with a counter.
    c.block().get(1).op(Op.i32_eqz).brIf(0).loop();
    c.get(sum).get(0).memory(MemoryOp.i32_load8_u, 0).op(Op.i32_add).set(sum);
    c.get(0).i32(1).op(Op.i32_add).set(0);
    c.get(1).i32(1).op(Op.i32_sub).tee(1).brIf(0).end().end();
    c.get(sum);
    const scale = new WasmCode([ValType.f64]);
    scale.get(0).f64(-2.5).op(Op.f64_mul).i32TruncSatF64();
    const bytes = writeWasmModule({
      memory: { module: 'env', name: 'memory', minPages: 1 },
      functions: [
        { name: 'sum_bytes', params, results: [ValType.i32], locals: c.locals, code: c.code },
        { name: 'scale_truncate', params: [ValType.f64], results: [ValType.i32], locals: scale.locals, code: scale.code },
      ],
    });
    const api = webAssembly!;
    expect(api.validate(bytes)).toBe(true);
    const memory = new api.Memory({ initial: 1 });
    new Uint8Array(memory.buffer).set([5, 200, 7, 255, 1], 100);
    const exports = new api.Instance(new api.Module(bytes), { env: { memory } }).exports as unknown as {
      sum_bytes(start: number, count: number): number;
      scale_truncate(x: number): number;
    };
    expect(exports.sum_bytes(100, 5)).toBe(468);
    expect(exports.sum_bytes(101, 0)).toBe(0);
    expect(exports.scale_truncate(3.3)).toBe((3.3 * -2.5) | 0);
    expect(exports.scale_truncate(Number.NaN)).toBe(0);
  });
});

describe('SIMD instructions', () => {
  it('shuffles bytes of two vectors, shifts i32 lanes arithmetically and stores one 64-bit lane', () => {
    const c = new WasmCode([]);
    // Memory [32, 40) = the upper half of (i32 lanes 0 and 2 of [0, 16), lanes 1 and 3 of [16, 32)) >> 4, signed.
    c.i32(32);
    c.i32(0).simdMemory(SimdMemoryOp.v128_load, 0).i32(16).simdMemory(SimdMemoryOp.v128_load, 0);
    c.shuffle([0, 1, 2, 3, 8, 9, 10, 11, 20, 21, 22, 23, 28, 29, 30, 31]);
    c.i32(4).simd(SimdOp.i32x4_shr_s);
    c.simdLaneMemory(SimdLaneMemoryOp.v128_store64_lane, 0, 0, 1);
    const bytes = writeWasmModule({
      memory: { module: 'env', name: 'memory', minPages: 1 },
      functions: [{ name: 'run', params: [], results: [], locals: c.locals, code: c.code }],
    });
    const api = webAssembly!;
    expect(api.validate(bytes)).toBe(true);
    const memory = new api.Memory({ initial: 1 });
    new Int32Array(memory.buffer, 0, 8).set([1, 2, 3, 4, -160, 96, 7, -4096]);
    const exports = new api.Instance(new api.Module(bytes), { env: { memory } }).exports as unknown as { run(): void };
    exports.run();
    expect([...new Int32Array(memory.buffer, 32, 2)]).toEqual([96 >> 4, -4096 >> 4]);
    expect(() => new WasmCode([]).shuffle([32, ...new Array<number>(15).fill(0)])).toThrow(/0\.\.31/);
  });
});
