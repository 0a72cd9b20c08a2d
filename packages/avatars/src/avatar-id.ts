import { randomBytes } from 'node:crypto';

// Crockford base32 in lower case, as job ids: ascending in ASCII, so ids sort by creation time as plain strings.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;
/** What an avatar id looks like, as a regular expression's source (the API document states it). */
export const AVATAR_ID_PATTERN_SOURCE = `^av_[${ALPHABET}]{${TIME_CHARS + RANDOM_CHARS}}$`;
const AVATAR_ID_PATTERN = new RegExp(AVATAR_ID_PATTERN_SOURCE);

function encodeTime(ms: number): string {
  let out = '';
  let rest = Math.floor(ms);
  for (let i = 0; i < TIME_CHARS; i += 1) {
    out = ALPHABET[rest % 32]! + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

/** A new avatar id, `av_` + 10 characters of creation time (ms) + 16 random characters (80 bits). */
export function createAvatarId(now: number = Date.now()): string {
  let random = '';
  for (const byte of randomBytes(RANDOM_CHARS)) random += ALPHABET[byte % 32]!;
  return `av_${encodeTime(now)}${random}`;
}

/** Whether a string has the shape of an avatar id (checked before it is used in a storage key). */
export function isAvatarId(value: string): boolean {
  return AVATAR_ID_PATTERN.test(value);
}
