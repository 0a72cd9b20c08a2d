import { createHash, randomBytes } from 'node:crypto';

/** What a session id looks like, as a regular expression's source (the API document states it). */
export const SESSION_ID_PATTERN_SOURCE = '^ses_[0-9a-f]{24}$';
const SESSION_ID_PATTERN = new RegExp(SESSION_ID_PATTERN_SOURCE);

export function createSessionId(): string {
  return `ses_${randomBytes(12).toString('hex')}`;
}

export function isSessionId(value: string): boolean {
  return SESSION_ID_PATTERN.test(value);
}

/** A one-time stream token (256 bits, URL-safe); only its hash is stored. */
export function createSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
