import { randomBytes } from 'node:crypto';
import { WebhookError } from './errors.ts';

/** Prefix of secrets in the Standard Webhooks format. */
export const SECRET_PREFIX = 'whsec_';
export const MIN_SECRET_BYTES = 16;
export const MAX_SECRET_BYTES = 128;

/** A new random secret, `whsec_` + base64 of 32 bytes. */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/**
 * Decodes a `whsec_<base64>` secret (the prefix is optional, as in the spec's libraries) to its key bytes.
 * The message never repeats the secret.
 */
export function parseSecret(secret: string): Buffer {
  if (typeof secret !== 'string') {
    throw new WebhookError('WEBHOOK_BAD_SECRET', `Webhook secret must be a string. Received: ${typeof secret}`);
  }
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 === 1) {
    throw new WebhookError(
      'WEBHOOK_BAD_SECRET',
      `Webhook secret must be "${SECRET_PREFIX}" followed by base64. Received ${secret.length} characters that are not base64.`,
    );
  }
  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) {
    throw new WebhookError(
      'WEBHOOK_BAD_SECRET',
      `Webhook secret must decode to ${MIN_SECRET_BYTES}-${MAX_SECRET_BYTES} bytes. Received: ${key.length} bytes`,
    );
  }
  return key;
}
