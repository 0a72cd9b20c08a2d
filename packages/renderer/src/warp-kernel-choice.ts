import { RendererError } from './errors.ts';
import { type WasmWarpKernels, createWasmWarpKernels } from './wasm/wasm-warp-kernels.ts';

/**
 * The warp's span kernels: WebAssembly with SIMD, scalar WebAssembly, or the JavaScript ones of
 * raster/warp-spans.ts (the reference). All give the same bytes.
 */
export type WarpKernelChoice = 'wasm-simd' | 'wasm-scalar' | 'js';

export const WARP_KERNEL_CHOICES: readonly WarpKernelChoice[] = ['wasm-simd', 'wasm-scalar', 'js'];

/**
 * The kernels for `choice` (null: the JavaScript ones). Left out, the SIMD kernels where the runtime compiles them,
 * else JavaScript; named, a WebAssembly choice the runtime cannot compile is an error.
 */
export function createWarpKernels(choice: WarpKernelChoice | undefined, width: number, height: number): WasmWarpKernels | null {
  if (choice === 'js') return null;
  if (choice !== undefined && !WARP_KERNEL_CHOICES.includes(choice)) {
    throw new RendererError('INVALID_OPTION', `warpKernels must be one of ${WARP_KERNEL_CHOICES.join(', ')}, got ${String(choice)}`);
  }
  const kernels = createWasmWarpKernels(width, height, choice === 'wasm-scalar' ? 'scalar' : 'simd');
  if (kernels === null && choice !== undefined) {
    throw new RendererError('INVALID_OPTION', `warpKernels ${choice} needs WebAssembly${choice === 'wasm-simd' ? ' with SIMD' : ''}, which this runtime does not compile`);
  }
  return kernels;
}
