import { describe, expect, it } from 'vitest';
import { webAssembly } from '@portrait-farm/wasm-writer';
import { byteChange, writeSaturatingAddModule } from './saturating-add.ts';

function reference(data: Uint8Array, delta: Int16Array): Uint8Array {
  return data.map((byte, i) => Math.min(255, Math.max(0, byte + delta[i]!)));
}

function pseudoRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('byteChange', () => {
  it('compiles as WebAssembly SIMD on the supported Node versions', () => {
    expect(webAssembly?.validate(writeSaturatingAddModule())).toBe(true);
  });

  for (const length of [1, 15, 16, 17, 3 * 333 * 217, 3 * 512 * 512]) {
    it(`adds the change clamped to 0..255, with SIMD and without, on ${length} bytes`, () => {
      const random = pseudoRandom(length);
      const data = Uint8Array.from({ length }, () => Math.floor(random() * 256));
      // Extremes and changes beyond a byte's range included.
      const delta = Int16Array.from({ length }, (_, i) => (i % 11 === 0 ? Math.round((random() - 0.5) * 1200) : Math.round((random() - 0.5) * 8)));
      data.fill(255, 0, Math.min(length, 5));
      data.fill(0, Math.min(length, 5), Math.min(length, 10));
      const expected = reference(data, delta);
      for (const simd of [true, false]) {
        const copy = data.slice();
        byteChange(delta, simd).apply(copy);
        expect(Buffer.compare(copy, expected)).toBe(0);
      }
    });
  }

  it('applies to each frame it is given, leaving nothing behind from the one before', () => {
    const delta = Int16Array.from({ length: 48 }, (_, i) => (i % 2 === 0 ? 3 : -3));
    const change = byteChange(delta);
    const first = new Uint8Array(48).fill(100);
    const second = new Uint8Array(48).fill(200);
    change.apply(first);
    change.apply(second);
    expect(Buffer.compare(second, reference(new Uint8Array(48).fill(200), delta))).toBe(0);
  });

  it('refuses data of another length, naming both', () => {
    expect(() => byteChange(new Int16Array(32)).apply(new Uint8Array(31))).toThrow('the change covers 32 bytes, the data has 31');
  });
});
