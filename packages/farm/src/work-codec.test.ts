import { describe, expect, it } from 'vitest';
import { decodePreparedClip, decodeRelay, decodeWork, encodeRelay, encodeWork, WORK_FORMAT_VERSION } from './work-codec.ts';
import { FarmError } from './errors.ts';

describe('work files', () => {
  it('round-trip nested plain data and typed arrays bit for bit', () => {
    const value = {
      fps: 25,
      audioSeconds: 3.635,
      features: { frameCount: 3, dim: 2, data: new Float32Array([0.1, -2.5e-8, Math.PI, NaN, -0, 1e30]), melPeak: 0.731 },
      source: { image: { width: 2, height: 1, data: new Uint8Array([1, 2, 3, 4, 5, 6]) }, landmarks: new Float32Array([1.5, 2.25, -3]) },
      motion: { seed: 7, steps: null, controls: { gaze: 'camera', emotion: 'happy', skipped: undefined } },
      segments: [{ index: 0, frameStart: 0, frameEnd: 50 }],
      odd: [Infinity, -Infinity, new Float64Array([1 / 3])],
    };
    const bytes = encodeWork('prepared-clip', value);
    const back = decodeWork('prepared-clip', bytes) as typeof value;
    expect(Buffer.from(back.features.data.buffer)).toEqual(Buffer.from(value.features.data.buffer));
    expect(back.source.image.data).toEqual(value.source.image.data);
    expect(back.source.landmarks).toEqual(value.source.landmarks);
    expect(back.odd[0]).toBe(Infinity);
    expect(back.odd[1]).toBe(-Infinity);
    expect(back.odd[2]).toEqual(new Float64Array([1 / 3]));
    expect(back.audioSeconds).toBe(3.635);
    expect(back.motion).toEqual({ seed: 7, steps: null, controls: { gaze: 'camera', emotion: 'happy' } });
    expect(decodePreparedClip(bytes).segments).toEqual(value.segments);
  });

  it('encode the same value to the same bytes (a retried step writes what the first one wrote)', () => {
    const relay = { tail: new Float32Array([1, 2, 3]), motion: new Float32Array([4, 5]) };
    expect(encodeRelay(relay).equals(encodeRelay({ tail: new Float32Array([1, 2, 3]), motion: new Float32Array([4, 5]) }))).toBe(true);
    expect(decodeRelay(encodeRelay(relay))).toEqual(relay);
  });

  it('refuse other kinds, versions and truncated files with FARM_BAD_WORK_FILE', () => {
    const bytes = encodeRelay({ tail: new Float32Array(8), motion: new Float32Array(8) });
    expect(() => decodePreparedClip(bytes)).toThrow(/must hold a prepared-clip/);
    expect(() => decodeRelay(bytes.subarray(0, bytes.length - 4))).toThrow(FarmError);
    expect(() => decodeRelay(Buffer.from('nope'))).toThrow(/must start with "PFW1"/);
    const header = JSON.parse(bytes.subarray(8, 8 + bytes.readUInt32LE(4)).toString('utf8')) as { version: number };
    expect(header.version).toBe(WORK_FORMAT_VERSION);
    const future = Buffer.from(bytes);
    future.write(`"version":${WORK_FORMAT_VERSION + 1}`, bytes.indexOf('"version"'), 'utf8');
    expect(() => decodeRelay(future)).toThrow(/version must be 1/);
  });
});
