export const ENGINE_ERROR_CODES = Object.freeze({
  ENGINE_BAD_OPTION: 'An option is out of its allowed range or of the wrong kind.',
  ENGINE_INPUT_MISSING: 'An input file does not exist or is not a file.',
  ENGINE_OUTPUT_UNWRITABLE: 'The output folder does not exist or cannot be written.',
  ENGINE_CANCELED: 'The render was canceled through its AbortSignal.',
  ENGINE_RENDER_THREAD_DIED: 'A render thread stopped unexpectedly.',
} as const);

export type EngineErrorCode = keyof typeof ENGINE_ERROR_CODES;

/** Errors of the engine itself; errors of the stages (face, media, pack, motion) pass through with their codes. */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
  }
}
