import { createHmac } from 'node:crypto';
import { keyBytes } from './prng.ts';

/** Length of the keyed MAC appended to the payload, in bits. */
export const MAC_BITS = 32;

/** HMAC-SHA256(key, payload) truncated to 32 bits: a forged or random codeword passes with probability 2^-32. */
export function payloadMac(payload: Uint8Array, key: string | Uint8Array): Uint8Array {
  const digest = createHmac('sha256', keyBytes(key)).update('portrait-farm watermark mac\0').update(payload).digest();
  return new Uint8Array(digest.subarray(0, MAC_BITS / 8));
}

export function macMatches(payload: Uint8Array, mac: Uint8Array, key: string | Uint8Array): boolean {
  const expected = payloadMac(payload, key);
  return expected.length === mac.length && expected.every((byte, i) => byte === mac[i]);
}
