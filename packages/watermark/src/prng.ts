import { createHash } from 'node:crypto';

/** The key used when none is given. Anyone holding the key can find (and so also try to remove) the watermark. */
export const DEFAULT_WATERMARK_KEY = 'portrait-farm-watermark-v1';

/** A key as bytes: strings are taken as UTF-8. */
export function keyBytes(key: string | Uint8Array): Uint8Array {
  return typeof key === 'string' ? new TextEncoder().encode(key) : key;
}

/** A deterministic pseudo-random generator (sfc32) seeded from SHA-256(key, label). */
export function keyedRandom(key: string | Uint8Array, label: string): () => number {
  const seed = createHash('sha256').update(keyBytes(key)).update('\0').update(label).digest();
  let a = seed.readUInt32LE(0);
  let b = seed.readUInt32LE(4);
  let c = seed.readUInt32LE(8);
  let d = seed.readUInt32LE(12);
  const next = (): number => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    const r = (t + d) | 0;
    c = (c + r) | 0;
    return (r >>> 0) / 4294967296;
  };
  for (let i = 0; i < 16; i += 1) next();
  return next;
}
