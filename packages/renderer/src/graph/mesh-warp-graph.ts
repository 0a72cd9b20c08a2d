import { encodeOnnxModel, ONNX_TYPE, type OnnxModel, type OnnxNode, type OnnxTensor } from './onnx-proto.ts';

/**
 * The per-pixel part of the mesh warp as an ONNX graph (opset 17, standard operators only, so the CPU, CUDA and
 * WebGPU providers run the same graph). Per layer l, frame n of a batch and pixel (x, y):
 * - `triangle_ids[l, n, y, x]` names the row of `triangle_maps` whose triangle covers the pixel in that layer (row 0
 *   of each frame's block: no triangle, opacity 0);
 * - that row holds three affine maps of the pixel centre (1, x + 0.5, y + 0.5): GridSample's normalised source x and
 *   y (align_corners 0, so that -1 and 1 are the image's outer edges, as the CPU warp's pixel-centre convention),
 *   and the opacity;
 * - the portrait is sampled bilinearly there (positions clamped to the border pixels, as the CPU warp's clamped
 *   kernel) and rounded to a byte; the layers are blended over `background` in order with the opacity in 1/256
 *   steps, rounded as the CPU kernels round: out = out + floor((k (s - out) + 128) / 256), k = floor(256 clamp(a, 0, 1)).
 * Layers exist because blended ring triangles can fold over each other, where the CPU warp blends the later one over
 * the earlier one.
 *
 * Inputs: portrait uint8 [H, W, 3], background uint8 [N, H, W, 3], triangle_ids int32 [L, N, H, W], triangle_maps
 * float32 [M, 3, 3] (row, then coefficient of 1, x + 0.5, y + 0.5). Output: frames uint8 [N, H, W, 3].
 */
export const MESH_WARP_GRAPH_NAME = 'mesh-warp.onnx';

/**
 * Layers of triangle ids per frame: the first triangle drawn (an opaque one replaces what is under it), and a ring
 * triangle folded over it. A batch without folds runs the one-layer graph.
 */
export const MESH_WARP_LAYERS = 2;

const scalar = (name: string, value: number): OnnxTensor => ({ name, type: ONNX_TYPE.float, dims: [], values: [value] });
const int64s = (name: string, values: number[]): OnnxTensor => ({ name, type: ONNX_TYPE.int64, dims: [values.length], values });

function constants(layers: number): OnnxTensor[] {
  return [
    scalar('half', 0.5),
    scalar('one', 1),
    scalar('zero', 0),
    scalar('steps', 256),
    scalar('rounding', 128),
    scalar('per_step', 1 / 256),
    { name: 'height_index', type: ONNX_TYPE.int64, dims: [], values: [2] },
    { name: 'width_index', type: ONNX_TYPE.int64, dims: [], values: [3] },
    int64s('batch_axis', [0]),
    int64s('layer_axis', [0]),
    int64s('columns', [1, 1, 1]),
    int64s('grid_and_opacity', [2, 1]),
    int64s('layer_split', new Array<number>(layers).fill(1)),
    int64s('row_shape', [-1, 1, 1, 1]),
    int64s('column_shape', [-1, 1, 1]),
    int64s('maps_shape', [0, 0, 0, 0, 3]),
    int64s('layers_as_rows', [1, -1, 0, 2]),
    int64s('rgb', [3]),
  ];
}

const node = (op: string, inputs: string[], outputs: string[], attributes?: OnnxNode['attributes']): OnnxNode =>
  ({ op, inputs, outputs, ...(attributes === undefined ? {} : { attributes }) });

function nodes(layers: number): OnnxNode[] {
  const layerNames = (prefix: string): string[] => Array.from({ length: layers }, (_, l) => `${prefix}_${l}`);
  const composite: OnnxNode[] = [];
  let current = 'background_float';
  for (let l = 0; l < layers; l++) {
    const next = l === layers - 1 ? 'composited' : `composited_${l}`;
    composite.push(
      node('Sub', [`layer_sample_${l}`, current], [`difference_${l}`]),
      node('Mul', [`difference_${l}`, `layer_weight_${l}`], [`weighted_${l}`]),
      node('Add', [`weighted_${l}`, 'rounding'], [`weighted_rounding_${l}`]),
      node('Mul', [`weighted_rounding_${l}`, 'per_step'], [`step_fraction_${l}`]),
      node('Floor', [`step_fraction_${l}`], [`change_${l}`]),
      node('Add', [current, `change_${l}`], [next]),
    );
    current = next;
  }
  return [
    // The portrait as one NCHW float image.
    node('Cast', ['portrait'], ['portrait_float'], { to: ONNX_TYPE.float }),
    node('Transpose', ['portrait_float'], ['portrait_chw'], { perm: [2, 0, 1] }),
    node('Unsqueeze', ['portrait_chw', 'batch_axis'], ['image']),
    // Pixel centres along y [H, 1, 1, 1] and x [W, 1, 1], broadcast against [L, N, H, W, 3, 1].
    node('Shape', ['triangle_ids'], ['ids_shape']),
    node('Gather', ['ids_shape', 'height_index'], ['height_int'], { axis: 0 }),
    node('Gather', ['ids_shape', 'width_index'], ['width_int'], { axis: 0 }),
    node('Cast', ['height_int'], ['height_float'], { to: ONNX_TYPE.float }),
    node('Cast', ['width_int'], ['width_float'], { to: ONNX_TYPE.float }),
    node('Range', ['half', 'height_float', 'one'], ['centre_y']),
    node('Range', ['half', 'width_float', 'one'], ['centre_x']),
    node('Reshape', ['centre_y', 'row_shape'], ['y']),
    node('Reshape', ['centre_x', 'column_shape'], ['x']),
    // Each pixel's affine maps, evaluated at its centre: [L, N, H, W, 3] = (grid x, grid y, opacity).
    node('Gather', ['triangle_maps', 'triangle_ids'], ['pixel_maps'], { axis: 0 }),
    node('Split', ['pixel_maps', 'columns'], ['constant_term', 'x_term', 'y_term'], { axis: 5 }),
    node('Mul', ['x_term', 'x'], ['x_part']),
    node('Mul', ['y_term', 'y'], ['y_part']),
    node('Add', ['constant_term', 'x_part'], ['partial']),
    node('Add', ['partial', 'y_part'], ['evaluated']),
    node('Reshape', ['evaluated', 'maps_shape'], ['evaluated_layers']),
    node('Split', ['evaluated_layers', 'grid_and_opacity'], ['grid', 'opacity'], { axis: 4 }),
    // Every layer of every frame stacked as rows of one grid, so that the one portrait serves the whole batch.
    node('Reshape', ['grid', 'layers_as_rows'], ['grid_rows']),
    node('GridSample', ['image', 'grid_rows'], ['sampled'], { mode: 'bilinear', padding_mode: 'border', align_corners: 0 }),
    node('Transpose', ['sampled'], ['sampled_rows'], { perm: [0, 2, 3, 1] }),
    node('Concat', ['ids_shape', 'rgb'], ['layers_shape'], { axis: 0 }),
    node('Reshape', ['sampled_rows', 'layers_shape'], ['sampled_layers']),
    node('Add', ['sampled_layers', 'half'], ['sampled_half']),
    node('Floor', ['sampled_half'], ['sample']),
    // Opacity in 1/256 steps.
    node('Clip', ['opacity', 'zero', 'one'], ['opacity_clamped']),
    node('Mul', ['opacity_clamped', 'steps'], ['opacity_scaled']),
    node('Floor', ['opacity_scaled'], ['weight']),
    // The layers blended over the background in order, rounded as the CPU kernels.
    node('Split', ['sample', 'layer_split'], layerNames('layer_sample_5d'), { axis: 0 }),
    node('Split', ['weight', 'layer_split'], layerNames('layer_weight_5d'), { axis: 0 }),
    ...Array.from({ length: layers }, (_, l) => [
      node('Squeeze', [`layer_sample_5d_${l}`, 'layer_axis'], [`layer_sample_${l}`]),
      node('Squeeze', [`layer_weight_5d_${l}`, 'layer_axis'], [`layer_weight_${l}`]),
    ]).flat(),
    node('Cast', ['background'], ['background_float'], { to: ONNX_TYPE.float }),
    ...composite,
    node('Cast', ['composited'], ['frames'], { to: ONNX_TYPE.uint8 }),
  ];
}

/** The mesh warp graph with `layers` id layers per frame. */
export function meshWarpGraph(layers: number = MESH_WARP_LAYERS): OnnxModel {
  return {
    name: 'portrait-farm-mesh-warp',
    opset: 17,
    inputs: [
      { name: 'portrait', type: ONNX_TYPE.uint8, shape: ['height', 'width', 3] },
      { name: 'background', type: ONNX_TYPE.uint8, shape: ['frames', 'height', 'width', 3] },
      { name: 'triangle_ids', type: ONNX_TYPE.int32, shape: [layers, 'frames', 'height', 'width'] },
      { name: 'triangle_maps', type: ONNX_TYPE.float, shape: ['maps', 3, 3] },
    ],
    outputs: [{ name: 'frames', type: ONNX_TYPE.uint8, shape: ['frames', 'height', 'width', 3] }],
    initializers: constants(layers),
    nodes: nodes(layers),
  };
}

/** The mesh warp graph's ONNX bytes (made at start-up; a few KB, no weights). */
export function meshWarpGraphBytes(layers: number = MESH_WARP_LAYERS): Uint8Array {
  return encodeOnnxModel(meshWarpGraph(layers));
}
