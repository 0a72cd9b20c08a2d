import { catalogueErrorClass, defineErrorCatalogue, errorGuard } from '@portrait-farm/contracts/error-catalogue';
import type { ErrorCode } from '@portrait-farm/contracts/error-catalogue';

/** Error catalogue of @portrait-farm/avatars; `code` is stable, `status` is the HTTP status the gateway answers. */
export const AVATARS_ERRORS = defineErrorCatalogue({
  AVATARS_NOT_FOUND: { status: 404, retryable: false, description: 'No avatar with this id belongs to the tenant.' },
  AVATARS_BAD_RECORD: { status: 500, retryable: false, description: 'A stored avatar record cannot be read (damaged, or written by an unknown format version).' },
});

export type AvatarsErrorCode = ErrorCode<typeof AVATARS_ERRORS>;

/** Errors of the avatar store. */
export class AvatarsError extends catalogueErrorClass('AvatarsError', AVATARS_ERRORS) {}

/** True when `error` is an AvatarsError, optionally with the given code. */
export const isAvatarsError = errorGuard(AvatarsError);
