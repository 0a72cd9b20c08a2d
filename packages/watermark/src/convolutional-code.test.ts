import { describe, expect, it } from 'vitest';
import { codedLength, convolutionalEncode, viterbiDecode } from './convolutional-code.ts';

describe('convolutional code', () => {
  const bits = Array.from({ length: 96 }, (_, i) => ((i * 7919) >> 3) & 1);
  const soft = (coded: number[]): number[] => coded.map((b) => (b === 1 ? 1 : -1));

  it('encodes to 2*(n+6) bits and decodes a clean codeword', () => {
    const coded = convolutionalEncode(bits);
    expect(coded).toHaveLength(codedLength(96));
    expect(viterbiDecode(soft(coded), 96)).toEqual(bits);
  });

  it('corrects scattered hard errors', () => {
    const noisy = soft(convolutionalEncode(bits));
    for (let i = 3; i < noisy.length; i += 17) noisy[i] = -(noisy[i] ?? 0);
    expect(viterbiDecode(noisy, 96)).toEqual(bits);
  });
});
