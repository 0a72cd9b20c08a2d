export { createGraphRendererFromPrepared } from './graph-renderer.ts';
export type { GraphRenderer, GraphRendererOptions } from './graph-renderer.ts';
export { MESH_WARP_GRAPH_NAME, meshWarpGraphBytes } from './mesh-warp-graph.ts';
export { frameDifference } from './frame-difference.ts';
export type { FrameDifference } from './frame-difference.ts';
