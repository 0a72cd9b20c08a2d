import type { PreparedMeshwarp } from '@portrait-farm/renderer';
import type { FrameFormat } from './frame-conversion.ts';
import type { FrameMarks } from './frame-marks.ts';

/** What a render thread is asked: hold a portrait, drop it, render one frame of it, or close. */
export type RenderRequest =
  | { kind: 'load'; portrait: number; data: PreparedMeshwarp }
  | { kind: 'unload'; portrait: number }
  /**
   * Release every renderer (an onnxruntime session of the graph backend must be released before its thread ends:
   * terminating it while held aborts the process), then end the thread.
   */
  | { kind: 'close' }
  /**
   * A frame to render: the call it belongs to (replies of an abandoned call are told apart by it), its index, its
   * motion, optionally a spent frame buffer of the call (in `format`) to reuse, the marks drawn into it after
   * rendering (null: none), and the format the frame comes back in (`yuv420p`: converted after the marks).
   */
  | { kind: 'render'; portrait: number; call: number; index: number; motion: Float32Array; buffer: Uint8Array | null; marks: FrameMarks | null; format: FrameFormat };

export type RenderReply = { call: number; index: number; frame: Uint8Array } | { call: number; index: number; error: string };

/**
 * Frames of one run of the ONNX graph at most (backend `onnx-graph`): a thread runs the frames that arrived while its
 * previous run ran, and the pool queues this many per thread, so that the accelerator gets batches.
 */
export const GRAPH_BATCH_FRAMES = 16;
