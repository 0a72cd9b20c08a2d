import type { PreparedMeshwarp } from '@portrait-farm/renderer';

/** What a render thread is asked: hold a portrait, drop it, or render one frame of it. */
export type RenderRequest =
  | { kind: 'load'; portrait: number; data: PreparedMeshwarp }
  | { kind: 'unload'; portrait: number }
  /**
   * A frame to render: the call it belongs to (replies of an abandoned call are told apart by it), its index, its
   * motion, and optionally a spent frame buffer to render into.
   */
  | { kind: 'render'; portrait: number; call: number; index: number; motion: Float32Array; buffer: Uint8Array | null };

export type RenderReply = { call: number; index: number; frame: Uint8Array } | { call: number; index: number; error: string };
