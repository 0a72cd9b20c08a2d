import { catalogueErrorClass, defineErrorCatalogue, errorGuard } from '@portrait-farm/contracts/error-catalogue';
import type { ErrorCode } from '@portrait-farm/contracts/error-catalogue';

/** Error catalogue of @portrait-farm/model-pack: stable codes, whether a retry may help (never: the files decide), what each means. */
export const PACK_ERRORS = defineErrorCatalogue({
  PACK_MANIFEST_MISSING: { retryable: false, description: 'manifest.json does not exist or cannot be read' },
  PACK_MANIFEST_JSON: { retryable: false, description: 'manifest.json is not valid JSON' },
  PACK_FORMAT: { retryable: false, description: 'the manifest format is not one this loader reads' },
  PACK_FIELD: { retryable: false, description: 'a manifest field is missing or has the wrong type or range' },
  PACK_CHANNELS: { retryable: false, description: 'the motion channels differ from models/SPEC.md' },
  PACK_STATS: { retryable: false, description: 'channel_mean / channel_std have the wrong length or a non-positive std' },
  PACK_AUDIO: { retryable: false, description: 'the audio block names an unknown front-end or wrong sizes' },
  PACK_SCHEDULE: { retryable: false, description: 'the noise schedule is unknown or out of range' },
  PACK_FILE_UNLISTED: { retryable: false, description: 'a file the manifest names is missing from its files block' },
  PACK_FILE_MISSING: { retryable: false, description: 'a listed file does not exist' },
  PACK_FILE_SIZE: { retryable: false, description: 'a file has a different size than the manifest says' },
  PACK_FILE_HASH: { retryable: false, description: 'a file has a different sha256 than the manifest says' },
  PACK_DENOISER_LOAD: { retryable: false, description: 'onnxruntime cannot load the denoiser or the live denoiser' },
  PACK_SIGNATURE: { retryable: false, description: 'the inputs/outputs of the denoiser or the live denoiser differ from the SPEC signature and the manifest sizes' },
});

export type PackErrorCode = ErrorCode<typeof PACK_ERRORS>;

/** A model pack failed to load; `code` is stable, the message names the file or field, what was expected and what was found. */
export class PackError extends catalogueErrorClass('PackError', PACK_ERRORS) {}

/** True when `error` is a PackError, optionally with the given code. */
export const isPackError = errorGuard(PackError);
