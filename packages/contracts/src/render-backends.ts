/**
 * How render threads draw frames: `cpu`, the TypeScript renderer; `onnx-graph`, its warp as an ONNX graph run by
 * onnxruntime on the execution providers (on a GPU with `cuda`), frames within one level of `cpu`'s.
 */
export const RENDER_BACKENDS = Object.freeze(['cpu', 'onnx-graph'] as const);
export type RenderBackend = (typeof RENDER_BACKENDS)[number];
