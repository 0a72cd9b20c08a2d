import { catalogueErrorClass, defineErrorCatalogue, errorGuard } from '@portrait-farm/contracts/error-catalogue';
import type { ErrorCode } from '@portrait-farm/contracts/error-catalogue';

/**
 * Error catalogue of the gateway: stable codes, the HTTP status each is answered with, whether the same request
 * may succeed later (a client may retry it), and what it means.
 * Every error response has the body `{ "error": { "code", "message" } }`; the OpenAPI document lists the codes.
 */
export const GATEWAY_ERRORS = defineErrorCatalogue({
  GATEWAY_BAD_REQUEST: { status: 400, retryable: false, description: 'The request is malformed: bad JSON, a missing or duplicated part, an unknown field.' },
  GATEWAY_BAD_MULTIPART: { status: 400, retryable: false, description: 'The multipart body cannot be parsed: no boundary in Content-Type, parts that do not use it, or a body that ends before the closing boundary.' },
  GATEWAY_UNAUTHORIZED: { status: 401, retryable: false, description: 'No API key, or an unknown one (Authorization: Bearer <key>).' },
  GATEWAY_NOT_OPERATOR: { status: 403, retryable: false, description: 'An operator route was called with a tenant API key; it needs the operator key (PORTRAIT_FARM_OPERATOR_KEY).' },
  GATEWAY_CROSS_ORIGIN: { status: 403, retryable: false, description: 'An operator action authenticated by the dashboard\'s cookie came without an Origin of this gateway (cross-site request forgery is refused).' },
  GATEWAY_BAD_SIGNATURE: { status: 403, retryable: false, description: 'A presigned file URL has a wrong signature or has expired.' },
  GATEWAY_NOT_FOUND: { status: 404, retryable: false, description: 'No such route, or no such file.' },
  GATEWAY_NO_SIGNING_KEY: { status: 404, retryable: false, description: 'The farm has no signing key (PORTRAIT_FARM_SIGNING_KEY): its videos are not signed and there is no public key.' },
  GATEWAY_NO_OPERATOR_KEY: { status: 404, retryable: false, description: 'The farm has no operator key (PORTRAIT_FARM_OPERATOR_KEY): the operator routes are off.' },
  GATEWAY_MANIFEST_NOT_FOUND: { status: 404, retryable: false, description: 'The job has no signed provenance manifest: it has not succeeded (yet), or it was stitched while the farm had no signing key.' },
  GATEWAY_JOB_NOT_FOUND: { status: 404, retryable: false, description: 'No job with this id belongs to the caller.' },
  GATEWAY_AVATAR_NOT_FOUND: { status: 404, retryable: false, description: 'No avatar with this id belongs to the caller (a job\'s `avatar` included): never made, deleted, or another tenant\'s.' },
  GATEWAY_SESSION_NOT_FOUND: { status: 404, retryable: false, description: 'No realtime session with this id belongs to the caller (ended sessions are kept a day).' },
  GATEWAY_QUEUE_NOT_FOUND: { status: 404, retryable: false, description: 'No farm queue has this name (prepare, segment, audio, stitch, webhook, cleanup).' },
  GATEWAY_METHOD_NOT_ALLOWED: { status: 405, retryable: false, description: 'The route exists but not for this method; Allow lists the methods it takes.' },
  GATEWAY_REQUEST_TIMEOUT: { status: 408, retryable: true, description: 'The request did not arrive in time (headers, whole body, or a silence while sending); the connection is closed.' },
  GATEWAY_IDEMPOTENCY_CONFLICT: { status: 409, retryable: false, description: 'The Idempotency-Key was used before with a different request.' },
  GATEWAY_JOB_FINISHED: { status: 409, retryable: false, description: 'The job already succeeded or failed; it cannot be canceled.' },
  GATEWAY_RESULT_NOT_READY: { status: 409, retryable: false, description: 'The job has no result (yet): it has not succeeded.' },
  GATEWAY_JOB_NOT_RETRYABLE: { status: 409, retryable: false, description: 'Only a failed or canceled job can be retried, and only while its inputs are still stored.' },
  GATEWAY_SESSION_ENDED: { status: 410, retryable: false, description: 'The session whose stream was asked for has ended (its record says why); create a new session.' },
  GATEWAY_UPLOAD_TOO_LARGE: { status: 413, retryable: false, description: 'The uploaded or fetched inputs are larger than the limit.' },
  GATEWAY_UNSUPPORTED_MEDIA_TYPE: { status: 415, retryable: false, description: 'The body is neither multipart/form-data nor application/json.' },
  GATEWAY_RANGE_NOT_SATISFIABLE: { status: 416, retryable: false, description: 'The Range header asks for bytes the file does not have, or for several ranges.' },
  GATEWAY_CONSENT_REQUIRED: {
    status: 422,
    retryable: false,
    description: 'The job has no consent attestation: send consent {"attestation": true} (the submitter affirms the right to animate the portrait).',
  },
  GATEWAY_BAD_OPTION: { status: 422, retryable: false, description: 'An option is missing, of the wrong type or out of range.' },
  GATEWAY_BAD_IMAGE: { status: 422, retryable: false, description: 'The image cannot be decoded as JPEG, PNG or WebP: another format, or a truncated or damaged file.' },
  GATEWAY_IMAGE_TOO_LARGE: { status: 422, retryable: false, description: 'The image has more pixels than the limit.' },
  GATEWAY_FACE_NOT_FOUND: { status: 422, retryable: false, description: 'No face was found in the image (options.faceBox names one the detector misses).' },
  GATEWAY_FACE_AMBIGUOUS: { status: 422, retryable: false, description: 'Several faces of similar size were found and neither options.faceIndex nor options.faceBox picks one; the message lists them.' },
  GATEWAY_FACE_INDEX_OUT_OF_RANGE: { status: 422, retryable: false, description: 'options.faceIndex names a face beyond the faces found; the message lists them.' },
  GATEWAY_FACE_TOO_SMALL: { status: 422, retryable: false, description: 'The face (found, or options.faceBox) is narrower than the 48 pixels a face needs to be animated.' },
  GATEWAY_BAD_VIDEO: { status: 422, retryable: false, description: 'The file to verify is not an MP4: its boxes do not tile the file (empty, truncated, or another format).' },
  GATEWAY_BAD_AUDIO: { status: 422, retryable: false, description: 'The audio cannot be read or decoded, has no audio stream, or declares an impossible sample rate.' },
  GATEWAY_AUDIO_TOO_LONG: { status: 422, retryable: false, description: 'The audio is longer than the limit.' },
  GATEWAY_AUDIO_TOO_SHORT: { status: 422, retryable: false, description: 'The audio is shorter than the half second a job needs.' },
  GATEWAY_AUDIO_SILENT: { status: 422, retryable: false, description: 'The audio holds only silence: there is no voice to animate.' },
  GATEWAY_INPUT_URL_REFUSED: { status: 422, retryable: false, description: 'An input URL is not https or resolves to an address the policy refuses.' },
  GATEWAY_WEBHOOK_URL_REFUSED: { status: 422, retryable: false, description: 'The webhook URL does not resolve, or resolves to an address webhooks are not sent to (loopback, private, link-local, metadata).' },
  GATEWAY_INPUT_FETCH_FAILED: { status: 422, retryable: true, description: 'An input URL could not be downloaded (status, timeout, connection).' },
  GATEWAY_UPGRADE_REQUIRED: { status: 400, retryable: false, description: 'A session\'s stream is a WebSocket: connect with an upgrade to the stream.url POST /v1/sessions returned.' },
  GATEWAY_RATE_LIMITED: { status: 429, retryable: true, description: 'Too many requests from the tenant in this minute; see Retry-After.' },
  GATEWAY_QUEUE_FULL: {
    status: 429,
    retryable: true,
    description: 'The tenant already has as many jobs queued behind its running ones as PORTRAIT_FARM_MAX_QUEUED_JOBS allows; a later try succeeds once some end.',
  },
  GATEWAY_SESSION_LIMIT: {
    status: 429,
    retryable: true,
    description: 'The tenant already has as many realtime sessions waiting or streaming as PORTRAIT_FARM_SESSIONS_PER_TENANT allows; Retry-After says when the soonest can end.',
  },
  GATEWAY_CLIENT_CLOSED: { status: 499, retryable: false, description: 'The client closed the connection before the answer (never sent; counted and logged apart from server errors).' },
  GATEWAY_INTERNAL: { status: 500, retryable: true, description: 'An unexpected error; the gateway log has the details.' },
  GATEWAY_SESSION_HOST_UNREACHABLE: {
    status: 502,
    retryable: true,
    description: 'The worker that hosts the session did not answer the stream\'s upgrade (the token was not spent); connecting again may succeed until the token expires.',
  },
  GATEWAY_NO_SESSION_CAPACITY: {
    status: 503,
    retryable: true,
    description: 'Every worker that hosts realtime sessions is full (or none is running); Retry-After says when the soonest slot can free up.',
  },
  GATEWAY_UNAVAILABLE: { status: 503, retryable: true, description: 'Redis, the queue or storage cannot be reached.' },
  GATEWAY_BAD_CONFIG: { status: 500, retryable: false, description: 'The gateway configuration is invalid (raised at start-up).' },
});

export type GatewayErrorCode = ErrorCode<typeof GATEWAY_ERRORS>;

/** An error the gateway answers with its catalogue status and `{ error: { code, message } }`. */
export class GatewayError extends catalogueErrorClass('GatewayError', GATEWAY_ERRORS) {
  constructor(
    code: GatewayErrorCode,
    message: string,
    /** Extra response headers (Retry-After). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(code, message);
  }
}

/** True when `error` is a GatewayError, optionally with the given code. */
export const isGatewayError = errorGuard(GatewayError);

/** The answer of a route that needs the farm's signing key (PORTRAIT_FARM_SIGNING_KEY) when it has none. */
export function noSigningKey(): GatewayError {
  return new GatewayError('GATEWAY_NO_SIGNING_KEY', 'This farm has no signing key (PORTRAIT_FARM_SIGNING_KEY): its videos carry no signed manifest.');
}
