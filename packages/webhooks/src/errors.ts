import { catalogueErrorClass, defineErrorCatalogue, errorGuard } from '@portrait-farm/contracts/error-catalogue';
import type { ErrorCode } from '@portrait-farm/contracts/error-catalogue';

/**
 * Error catalogue of @portrait-farm/webhooks. `retryable` says whether a later attempt may succeed;
 * the delivery queue uses it together with `nextAttemptDelay`.
 */
export const WEBHOOK_ERRORS = defineErrorCatalogue({
  WEBHOOK_BAD_SECRET: { retryable: false, description: 'A signing secret is not whsec_<base64> of 16 to 128 bytes.' },
  WEBHOOK_BAD_OPTION: { retryable: false, description: 'An option is out of range.' },
  WEBHOOK_BAD_URL: { retryable: false, description: 'The endpoint URL cannot be parsed or is not http(s).' },
  WEBHOOK_BLOCKED_ADDRESS: {
    retryable: false,
    description: 'The endpoint resolves to an address the SSRF policy refuses (private, loopback, link-local, metadata...).',
  },
  WEBHOOK_DNS: { retryable: true, description: 'The endpoint host name could not be resolved.' },
  WEBHOOK_CONNECT: { retryable: true, description: 'The connection failed or was reset before a response arrived.' },
  WEBHOOK_TIMEOUT: { retryable: true, description: 'No response status within the timeout.' },
  WEBHOOK_REDIRECT: { retryable: true, description: 'The endpoint answered with a redirect, which is never followed.' },
  WEBHOOK_HTTP_STATUS: {
    retryable: true,
    description: 'The endpoint answered with a status outside 2xx (410 Gone disables the endpoint).',
  },
  WEBHOOK_MISSING_HEADER: { retryable: false, description: 'A received webhook lacks a required header.' },
  WEBHOOK_BAD_TIMESTAMP: {
    retryable: false,
    description: 'A received webhook timestamp is malformed or outside the tolerance.',
  },
  WEBHOOK_BAD_SIGNATURE: { retryable: false, description: 'No signature of a received webhook matches.' },
});

export type WebhookErrorCode = ErrorCode<typeof WEBHOOK_ERRORS>;

export interface WebhookErrorDetails {
  /** HTTP status received, for WEBHOOK_HTTP_STATUS and WEBHOOK_REDIRECT. */
  status?: number;
  /** The endpoint answered 410 Gone: stop sending to it. */
  disableEndpoint?: boolean;
  /** Delay the endpoint asked for (Retry-After), in milliseconds. */
  retryAfterMs?: number;
  /** Overrides the catalogue's retryable flag. */
  retryable?: boolean;
  /** For WEBHOOK_BLOCKED_ADDRESS: what was refused, and the endpoint that allowedHosts could name to allow it (null: never). */
  blocked?: BlockedAddress;
  cause?: unknown;
}

/** Why WEBHOOK_BLOCKED_ADDRESS refused an endpoint. */
export interface BlockedAddress {
  /** The host (and the address it resolves to) and the address's category, e.g. "Host x resolves to 10.0.0.1, a private address". */
  reason: string;
  /** The endpoint (host:port) that allowedHosts may name to allow it, or null for categories never allowed. */
  allowableEndpoint: string | null;
}

/** Errors raised by signing, verification and delivery; `code` is stable. */
export class WebhookError extends catalogueErrorClass('WebhookError', WEBHOOK_ERRORS) {
  readonly disableEndpoint: boolean;
  /** HTTP status received, for WEBHOOK_HTTP_STATUS and WEBHOOK_REDIRECT. */
  readonly status: number | null;
  readonly retryAfterMs: number | null;
  readonly blocked: BlockedAddress | null;

  constructor(code: WebhookErrorCode, message: string, details: WebhookErrorDetails = {}) {
    super(code, message, { cause: details.cause, retryable: details.retryable });
    this.disableEndpoint = details.disableEndpoint ?? false;
    this.status = details.status ?? null;
    this.retryAfterMs = details.retryAfterMs ?? null;
    this.blocked = details.blocked ?? null;
  }
}

/** True when `error` is a WebhookError, optionally with the given code. */
export const isWebhookError = errorGuard(WebhookError);
