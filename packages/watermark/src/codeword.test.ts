import { describe, expect, it } from 'vitest';
import { CODED_BITS, decodeCodeword, encodeCodeword } from './codeword.ts';

describe('codeword', () => {
  const payload = Uint8Array.from([9, 8, 7, 6, 5, 4, 3, 2]);

  it('round-trips the payload with a valid MAC', () => {
    const coded = encodeCodeword(payload, 'k');
    expect(coded).toHaveLength(CODED_BITS);
    const decoded = decodeCodeword(coded.map((b) => 2 * b - 1), 'k');
    expect(Array.from(decoded.payload)).toEqual(Array.from(payload));
    expect(decoded.macValid).toBe(true);
    expect(decoded.bitErrors).toBe(0);
  });

  it('rejects the MAC under another key', () => {
    const coded = encodeCodeword(payload, 'k');
    expect(decodeCodeword(coded.map((b) => 2 * b - 1), 'other').macValid).toBe(false);
  });

  it('refuses payloads that are not 8 bytes', () => {
    expect(() => encodeCodeword(new Uint8Array(7), 'k')).toThrow(RangeError);
  });
});
