import { describe, expect, it } from 'vitest';
import { ntpTimestampOf } from './sender-reports.ts';

describe('ntpTimestampOf', () => {
  it('writes seconds since 1900 and the fraction of a second in 1/2^32 (werift 0.25.2 wrote the decimal digits there)', () => {
    expect(ntpTimestampOf(0)).toBe(2_208_988_800n << 32n);
    expect(ntpTimestampOf(12_500)).toBe(((2_208_988_800n + 12n) << 32n) | (1n << 31n));
    expect(ntpTimestampOf(1_250)).toBe(((2_208_988_800n + 1n) << 32n) | (1n << 30n));
    const t = 1_796_544_157_877.305;
    const ntp = ntpTimestampOf(t);
    expect(Number(ntp >> 32n) - 2_208_988_800 + Number(ntp & 0xffffffffn) / 2 ** 32).toBeCloseTo(t / 1000, 6);
  });
});
