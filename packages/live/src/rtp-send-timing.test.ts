import { describe, expect, it } from 'vitest';
import { RtpSendTiming } from './rtp-send-timing.ts';

describe('RtpSendTiming', () => {
  it('summarises how late packets left against media time 0 as settled at the end', () => {
    const timing = new RtpSendTiming();
    expect(timing.lateness(0)).toBeNull();
    // 20 packets 20 ms apart, media time 0 at 1000 ms: each leaves 25 ms after its time, one 120 ms after.
    for (let i = 0; i < 20; i += 1) timing.record(i * 0.02, 1000 + i * 20 + (i === 7 ? 120 : 25));
    expect(timing.lateness(1000)).toEqual({ packets: 20, p5: 25, p50: 25, p95: 120, max: 120 });
    // The same sends against a clock that started 10 ms earlier.
    expect(timing.lateness(990)).toMatchObject({ p50: 35, max: 130 });
  });
});
