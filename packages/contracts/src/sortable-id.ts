import { randomBytes } from 'node:crypto';

// Crockford base32 in lower case: ascending in ASCII, so ids sort by creation time as plain strings.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;

/** Ids of one kind: `{prefix}_` + 10 characters of creation time (ms) + 16 random characters (80 bits). */
export interface SortableIdKind {
  /** What an id looks like, as a regular expression's source (the API document states it). */
  readonly patternSource: string;
  create(now?: number): string;
  /** Whether a string has the shape of an id of this kind (checked before it is used in a key). */
  is(value: string): boolean;
}

function encodeTime(ms: number): string {
  let out = '';
  let rest = Math.floor(ms);
  for (let i = 0; i < TIME_CHARS; i += 1) {
    out = ALPHABET[rest % 32]! + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

/** Ids that sort by creation time as strings, which the per-tenant listings rely on. */
export function sortableIdKind(prefix: string): SortableIdKind {
  const patternSource = `^${prefix}_[${ALPHABET}]{${TIME_CHARS + RANDOM_CHARS}}$`;
  const pattern = new RegExp(patternSource);
  return {
    patternSource,
    create(now = Date.now()) {
      let random = '';
      for (const byte of randomBytes(RANDOM_CHARS)) random += ALPHABET[byte % 32]!;
      return `${prefix}_${encodeTime(now)}${random}`;
    },
    is: (value) => pattern.test(value),
  };
}
