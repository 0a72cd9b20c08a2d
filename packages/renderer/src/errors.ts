import { catalogueErrorClass, defineErrorCatalogue, errorGuard } from '@portrait-farm/contracts/error-catalogue';
import type { ErrorCode } from '@portrait-farm/contracts/error-catalogue';

/** Error catalogue of the renderer: stable codes, whether a retry may help (never: its inputs decide), what each means. */
export const RENDERER_ERRORS = defineErrorCatalogue({
  MESH_DECODE: { retryable: false, description: 'The canonical face mesh (protobuf metadata, vertex or index buffer) is malformed.' },
  INVALID_IMAGE: { retryable: false, description: 'The image size or its RGB byte count is out of range.' },
  INVALID_LANDMARKS: { retryable: false, description: 'The landmarks are not 478 finite points of a face of a few pixels or more.' },
  INVALID_MOTION: { retryable: false, description: 'A motion frame has the wrong channel count or a value that is not finite.' },
  INVALID_OPTION: { retryable: false, description: 'A render option is out of its range.' },
  INVALID_PREPARED: { retryable: false, description: 'Prepared portrait data has another format or inconsistent sizes.' },
  INVALID_SIZE: { retryable: false, description: 'An output size or frame buffer is too small or of the wrong length.' },
  GRAPH_BUSY: { retryable: false, description: 'A graph renderer was asked for a batch while its previous batch was still running.' },
});

export type RendererErrorCode = ErrorCode<typeof RENDERER_ERRORS>;

/** Any failure of the renderer; `code` is stable, the message names the problem, the allowed range and the value. */
export class RendererError extends catalogueErrorClass('RendererError', RENDERER_ERRORS) {}

/** True when `error` is a RendererError, optionally with the given code. */
export const isRendererError = errorGuard(RendererError);
