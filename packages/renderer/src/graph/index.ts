export { createGraphRendererFromPrepared } from './graph-renderer.ts';
export type { GraphRenderer, GraphRendererOptions } from './graph-renderer.ts';
export { MESH_WARP_GRAPH_NAME, MESH_WARP_LAYERS, meshWarpGraph, meshWarpGraphBytes } from './mesh-warp-graph.ts';
export { frameDifference } from './frame-difference.ts';
export type { FrameDifference } from './frame-difference.ts';
export { createFramePlanner } from './frame-plan.ts';
export type { FaceCoverage, FrameGeometry, FramePlanner, WarpPass } from './frame-plan.ts';
export { MAP_SIZE, clearTriangleRaster, rasteriseTriangleIds } from './triangle-id-raster.ts';
export type { TriangleRasterTarget } from './triangle-id-raster.ts';
