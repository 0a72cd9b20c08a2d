export { ValType, signedLeb128, unsignedLeb128, writeWasmModule, type WasmFunction, type WasmModuleSpec } from './wasm-module-writer.ts';
export { MemoryOp, Op, SimdLaneMemoryOp, SimdLaneOp, SimdMemoryOp, SimdOp, WasmCode } from './wasm-code.ts';
export { compileModule, compiledOnce, type CompiledModule, type WasmMemory, type WebAssemblyApi, webAssembly } from './webassembly-api.ts';
