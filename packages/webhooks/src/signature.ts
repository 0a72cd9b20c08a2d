import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookError } from './errors.ts';
import { parseSecret } from './secret.ts';

/** Header names of the Standard Webhooks spec. */
export const WEBHOOK_HEADERS = Object.freeze({
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const);

export interface SignInput {
  /** Message id (webhook-id); identical on every retry of the same message. */
  id: string;
  /** Unix time in seconds (webhook-timestamp) of this attempt. */
  timestamp: number;
  /** The exact request body. */
  body: string | Uint8Array;
}

function hmac(key: Buffer, input: SignInput): Buffer {
  return createHmac('sha256', key)
    .update(`${input.id}.${input.timestamp}.`, 'utf8')
    .update(typeof input.body === 'string' ? Buffer.from(input.body, 'utf8') : input.body)
    .digest();
}

function secretsOf(secret: string | readonly string[]): readonly string[] {
  const list = typeof secret === 'string' ? [secret] : secret;
  if (list.length === 0) throw new WebhookError('WEBHOOK_BAD_SECRET', 'At least one webhook secret is required. Received: none');
  return list;
}

function assertTimestamp(timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new WebhookError('WEBHOOK_BAD_OPTION', `Webhook timestamp must be whole Unix seconds. Received: ${String(timestamp)}`);
  }
}

/**
 * The webhook-signature header value: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one entry per secret
 * (several secrets during a rotation), separated by spaces.
 */
export function sign(secret: string | readonly string[], input: SignInput): string {
  assertTimestamp(input.timestamp);
  if (typeof input.id !== 'string' || !/^[\x21-\x7e]{1,256}$/.test(input.id)) {
    throw new WebhookError(
      'WEBHOOK_BAD_OPTION',
      `Webhook id must be 1-256 printable ASCII characters without spaces. Received: ${JSON.stringify(input.id)}`,
    );
  }
  return secretsOf(secret)
    .map((one) => `v1,${hmac(parseSecret(one), input).toString('base64')}`)
    .join(' ');
}

export type HeaderSource =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

function header(headers: HeaderSource, name: string): string {
  let value: string | readonly string[] | null | undefined;
  if (typeof headers.get === 'function') {
    value = (headers as { get(name: string): string | null }).get(name);
  } else {
    const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
    const found = Object.keys(record).find((key) => key.toLowerCase() === name);
    value = found === undefined ? undefined : record[found];
  }
  const text = Array.isArray(value) ? value.join(' ') : (value as string | null | undefined);
  if (typeof text !== 'string' || text.length === 0) {
    throw new WebhookError('WEBHOOK_MISSING_HEADER', `The webhook lacks the ${name} header.`);
  }
  return text;
}

export interface VerifyOptions {
  /**
   * Largest accepted distance between webhook-timestamp and now, in seconds, either way.
   * @defaultValue 300
   */
  toleranceSeconds?: number;
  /**
   * The current time in milliseconds.
   * @defaultValue Date.now()
   */
  now?: number;
}

export interface VerifiedWebhook {
  id: string;
  timestamp: number;
}

/**
 * Checks a received webhook (for receivers, and for the farm's own tests): the timestamp is within the
 * tolerance and one `v1` signature in the header matches one of the secrets (constant-time comparison).
 * `body` must be the raw bytes received, not re-serialised JSON. Throws WebhookError otherwise.
 */
export function verify(
  secret: string | readonly string[],
  headers: HeaderSource,
  body: string | Uint8Array,
  options: VerifyOptions = {},
): VerifiedWebhook {
  const tolerance = options.toleranceSeconds ?? 300;
  if (!Number.isFinite(tolerance) || tolerance < 0) {
    throw new WebhookError('WEBHOOK_BAD_OPTION', `toleranceSeconds must be a number >= 0. Received: ${String(tolerance)}`);
  }
  const keys = secretsOf(secret).map(parseSecret);
  const id = header(headers, WEBHOOK_HEADERS.id);
  const timestampText = header(headers, WEBHOOK_HEADERS.timestamp);
  const signatures = header(headers, WEBHOOK_HEADERS.signature);

  if (!/^\d{1,12}$/.test(timestampText)) {
    throw new WebhookError('WEBHOOK_BAD_TIMESTAMP', `webhook-timestamp must be Unix seconds. Received: ${JSON.stringify(timestampText.slice(0, 40))}`);
  }
  const timestamp = Number(timestampText);
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - timestamp) > tolerance) {
    const direction = timestamp < nowSeconds ? 'old' : 'far in the future';
    throw new WebhookError(
      'WEBHOOK_BAD_TIMESTAMP',
      `webhook-timestamp ${timestamp} is too ${direction}: ${Math.abs(nowSeconds - timestamp)} s from now, the tolerance is ${tolerance} s.`,
    );
  }

  const expected = keys.map((key) => hmac(key, { id, timestamp, body }));
  for (const entry of signatures.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    const received = Buffer.from(entry.slice(comma + 1), 'base64');
    for (const candidate of expected) {
      if (received.length === candidate.length && timingSafeEqual(received, candidate)) return { id, timestamp };
    }
  }
  throw new WebhookError('WEBHOOK_BAD_SIGNATURE', `No v1 signature in webhook-signature matches the body of message ${JSON.stringify(id.slice(0, 100))}.`);
}
