/**
 * Writes a WebAssembly module in the binary format: one imported memory and exported functions, which is all the
 * project's kernels (the renderer's warp, the watermark's embedding) need (https://webassembly.github.io/spec/core/binary/modules.html).
 */

/** Value types of the binary format. */
export const ValType = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b } as const;
export type ValType = (typeof ValType)[keyof typeof ValType];

/** One exported function: its signature, the types of its locals beyond the parameters, its instructions. */
export interface WasmFunction {
  name: string;
  params: readonly ValType[];
  results: readonly ValType[];
  locals: readonly ValType[];
  /** Instructions without the final `end`. */
  code: readonly number[];
}

export interface WasmModuleSpec {
  /** The memory the module imports (`module`.`name`), at least `minPages` pages of 64 KiB. */
  memory: { module: string; name: string; minPages: number };
  functions: readonly WasmFunction[];
}

/** LEB128 of an unsigned integer below 2^32. */
export function unsignedLeb128(value: number): number[] {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`unsigned LEB128 takes an integer in [0, 2^32), got ${value}`);
  const bytes: number[] = [];
  let rest = value;
  do {
    const low = rest % 128;
    rest = Math.floor(rest / 128);
    bytes.push(rest > 0 ? low | 0x80 : low);
  } while (rest > 0);
  return bytes;
}

/** LEB128 of a signed integer in [-2^31, 2^31). */
export function signedLeb128(value: number): number[] {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) throw new RangeError(`signed LEB128 takes an integer in [-2^31, 2^31), got ${value}`);
  const bytes: number[] = [];
  let rest = value;
  for (;;) {
    const low = rest & 0x7f;
    rest >>= 7;
    const done = (rest === 0 && (low & 0x40) === 0) || (rest === -1 && (low & 0x40) !== 0);
    bytes.push(done ? low : low | 0x80);
    if (done) return bytes;
  }
}

function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...unsignedLeb128(bytes.length), ...bytes];
}

function vector(items: readonly number[][]): number[] {
  return [...unsignedLeb128(items.length), ...items.flat()];
}

function section(id: number, content: number[]): number[] {
  return [id, ...unsignedLeb128(content.length), ...content];
}

/** Locals as runs of one type: (count, type) pairs. */
function localRuns(locals: readonly ValType[]): number[][] {
  const runs: number[][] = [];
  let i = 0;
  while (i < locals.length) {
    let j = i;
    while (j < locals.length && locals[j] === locals[i]) j++;
    runs.push([...unsignedLeb128(j - i), locals[i]!]);
    i = j;
  }
  return runs;
}

const SECTION = { type: 1, import: 2, function: 3, export: 7, code: 10 } as const;
const FUNCTION_TYPE = 0x60;
const IMPORT_MEMORY = 0x02;
const EXPORT_FUNCTION = 0x00;
const LIMITS_MIN_ONLY = 0x00;
const END = 0x0b;

export function writeWasmModule(spec: WasmModuleSpec): Uint8Array {
  const { functions, memory } = spec;
  const types = functions.map((f) => [FUNCTION_TYPE, ...vector(f.params.map((t) => [t])), ...vector(f.results.map((t) => [t]))]);
  const imports = [[...name(memory.module), ...name(memory.name), IMPORT_MEMORY, LIMITS_MIN_ONLY, ...unsignedLeb128(memory.minPages)]];
  const bodies = functions.map((f) => {
    const body = [...vector(localRuns(f.locals)), ...f.code, END];
    return [...unsignedLeb128(body.length), ...body];
  });
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(SECTION.type, vector(types)),
    ...section(SECTION.import, vector(imports)),
    ...section(SECTION.function, vector(functions.map((_, i) => unsignedLeb128(i)))),
    ...section(SECTION.export, vector(functions.map((f, i) => [...name(f.name), EXPORT_FUNCTION, ...unsignedLeb128(i)]))),
    ...section(SECTION.code, vector(bodies)),
  ]);
}
