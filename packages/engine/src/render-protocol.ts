/** A frame to render: its index, its motion, and optionally a spent frame buffer to render into. */
export interface RenderRequest {
  index: number;
  motion: Float32Array;
  buffer: Uint8Array | null;
}

export type RenderReply = { index: number; frame: Uint8Array } | { index: number; error: string };
