/** Stable error codes of the renderer. */
export type RendererErrorCode =
  | 'MESH_DECODE'
  | 'INVALID_IMAGE'
  | 'INVALID_LANDMARKS'
  | 'INVALID_MOTION'
  | 'INVALID_OPTION'
  | 'INVALID_PREPARED'
  | 'INVALID_SIZE';

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
