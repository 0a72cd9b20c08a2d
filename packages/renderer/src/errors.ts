/** Stable error codes of the renderer. */
export const RENDERER_ERROR_CODES = Object.freeze([
  'MESH_DECODE',
  'INVALID_IMAGE',
  'INVALID_LANDMARKS',
  'INVALID_MOTION',
  'INVALID_OPTION',
  'INVALID_PREPARED',
  'INVALID_SIZE',
] as const);

export type RendererErrorCode = (typeof RENDERER_ERROR_CODES)[number];

/** Any failure of the renderer; `code` is stable, the message names the problem, the allowed range and the value. */
export class RendererError extends Error {
  override readonly name = 'RendererError';
  constructor(
    readonly code: RendererErrorCode,
    message: string,
  ) {
    super(message);
  }
}
