/** Stable codes of {@link PackError}, with what each means. */
export const PACK_ERROR_CODES = Object.freeze({
  PACK_MANIFEST_MISSING: 'manifest.json does not exist or cannot be read',
  PACK_MANIFEST_JSON: 'manifest.json is not valid JSON',
  PACK_FORMAT: 'the manifest format is not one this loader reads',
  PACK_FIELD: 'a manifest field is missing or has the wrong type or range',
  PACK_CHANNELS: 'the motion channels differ from models/SPEC.md',
  PACK_STATS: 'channel_mean / channel_std have the wrong length or a non-positive std',
  PACK_AUDIO: 'the audio block names an unknown front-end or wrong sizes',
  PACK_SCHEDULE: 'the noise schedule is unknown or out of range',
  PACK_FILE_UNLISTED: 'a file the manifest names is missing from its files block',
  PACK_FILE_MISSING: 'a listed file does not exist',
  PACK_FILE_SIZE: 'a file has a different size than the manifest says',
  PACK_FILE_HASH: 'a file has a different sha256 than the manifest says',
  PACK_DENOISER_LOAD: 'onnxruntime cannot load the denoiser',
  PACK_SIGNATURE: 'the denoiser inputs/outputs differ from the SPEC signature and the manifest sizes',
} as const);

export type PackErrorCode = keyof typeof PACK_ERROR_CODES;

/** A model pack failed to load; `code` is stable, the message names the file or field, what was expected and what was found. */
export class PackError extends Error {
  override readonly name = 'PackError';
  constructor(
    readonly code: PackErrorCode,
    message: string,
  ) {
    super(message);
  }
}
