import { randomBytes } from 'node:crypto';

// Crockford base32 in lower case: ascending in ASCII, so ids sort by creation time as plain strings.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;
/** What a job id looks like, as a regular expression's source (the API document states it). */
export const JOB_ID_PATTERN_SOURCE = `^job_[${ALPHABET}]{${TIME_CHARS + RANDOM_CHARS}}$`;
const JOB_ID_PATTERN = new RegExp(JOB_ID_PATTERN_SOURCE);

function encodeTime(ms: number): string {
  let out = '';
  let rest = Math.floor(ms);
  for (let i = 0; i < TIME_CHARS; i += 1) {
    out = ALPHABET[rest % 32]! + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

/**
 * A new job id, `job_` + 10 characters of creation time (ms) + 16 random characters (80 bits).
 * Ids sort by creation time as strings, which the per-tenant listing relies on.
 */
export function createJobId(now: number = Date.now()): string {
  const bytes = randomBytes(RANDOM_CHARS);
  let random = '';
  for (const byte of bytes) random += ALPHABET[byte % 32]!;
  return `job_${encodeTime(now)}${random}`;
}

/** Whether a string has the shape of a job id (checked before it is used in a Redis key). */
export function isJobId(value: string): boolean {
  return JOB_ID_PATTERN.test(value);
}
