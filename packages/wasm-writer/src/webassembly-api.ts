/**
 * The part of the WebAssembly JavaScript API the kernels use. Node has it as a global; the project's TypeScript
 * libraries leave out the DOM's, which type it, so it is typed here and read from `globalThis`.
 */
export interface CompiledModule {
  readonly compiled: unique symbol;
}

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

export interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => CompiledModule;
  Instance: new (module: CompiledModule, imports: Record<string, Record<string, unknown>>) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}

/** The runtime's WebAssembly, or null where it has none. */
export const webAssembly: WebAssemblyApi | null = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly ?? null;

/** `bytes` compiled, or null where this runtime cannot compile them (no WebAssembly, or an instruction it lacks). */
export function compileModule(bytes: Uint8Array): CompiledModule | null {
  return webAssembly !== null && webAssembly.validate(bytes) ? new webAssembly.Module(bytes) : null;
}

/** The module `write` makes, written and compiled on the first call only (see {@link compileModule}). */
export function compiledOnce(write: () => Uint8Array): () => CompiledModule | null {
  let compiled: CompiledModule | null | undefined;
  return () => {
    if (compiled === undefined) compiled = compileModule(write());
    return compiled;
  };
}
