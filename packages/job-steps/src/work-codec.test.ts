import { describe, expect, it } from 'vitest';
import { memoryClipAudio } from '@portrait-farm/engine';
import { decodePreparedClip, decodeRelay, decodeWork, encodeRelay, encodeWork, WORK_FORMAT_VERSION } from './work-codec.ts';
import { JobStepError } from './errors.ts';

const silence = (sampleCount: number) => memoryClipAudio(new Float32Array(sampleCount));

describe('work files', () => {
  it('round-trip nested plain data and typed arrays bit for bit', () => {
    const value = {
      fps: 25,
      audioSeconds: 3.635,
      samples: new Float32Array([0.1, -2.5e-8, Math.PI, NaN, -0, 1e30]),
      melPeak: 0.731,
      source: { image: { width: 2, height: 1, data: new Uint8Array([1, 2, 3, 4, 5, 6]) }, landmarks: new Float32Array([1.5, 2.25, -3]) },
      motion: { seed: 7, steps: null, controls: { gaze: 'camera', emotion: 'happy', skipped: undefined } },
      segments: [{ index: 0, frameStart: 0, frameEnd: 50 }],
      odd: [Infinity, -Infinity, new Float64Array([1 / 3])],
    };
    const bytes = encodeWork('prepared-clip', value);
    const back = decodeWork('prepared-clip', bytes) as typeof value;
    expect(Buffer.from(back.samples.buffer)).toEqual(Buffer.from(value.samples.buffer));
    expect(back.melPeak).toBe(0.731);
    expect(back.source.image.data).toEqual(value.source.image.data);
    expect(back.source.landmarks).toEqual(value.source.landmarks);
    expect(back.odd[0]).toBe(Infinity);
    expect(back.odd[1]).toBe(-Infinity);
    expect(back.odd[2]).toEqual(new Float64Array([1 / 3]));
    expect(back.audioSeconds).toBe(3.635);
    expect(back.motion).toEqual({ seed: 7, steps: null, controls: { gaze: 'camera', emotion: 'happy' } });
    expect(decodePreparedClip(encodeWork('prepared-clip', { ...value, audioSamples: 6 }), silence).segments).toEqual(value.segments);
  });

  it('encode the same value to the same bytes (a retried step writes what the first one wrote)', () => {
    const relay = { tail: new Float32Array([1, 2, 3]), motion: new Float32Array([4, 5]) };
    expect(encodeRelay(relay).equals(encodeRelay({ tail: new Float32Array([1, 2, 3]), motion: new Float32Array([4, 5]) }))).toBe(true);
    expect(decodeRelay(encodeRelay(relay))).toEqual(relay);
  });

  it('refuse other kinds, versions and truncated files with FARM_BAD_WORK_FILE', () => {
    const bytes = encodeRelay({ tail: new Float32Array(8), motion: new Float32Array(8) });
    expect(() => decodePreparedClip(bytes, silence)).toThrow(/must hold a prepared-clip/);
    expect(() => decodeRelay(bytes.subarray(0, bytes.length - 4))).toThrow(JobStepError);
    expect(() => decodeRelay(Buffer.from('nope'))).toThrow(/must start with "PFW1"/);
    const header = JSON.parse(bytes.subarray(8, 8 + bytes.readUInt32LE(4)).toString('utf8')) as { version: number };
    expect(header.version).toBe(WORK_FORMAT_VERSION);
    const future = Buffer.from(bytes);
    future.write(`"version":${WORK_FORMAT_VERSION + 1}`, bytes.indexOf('"version"'), 'utf8');
    expect(() => decodeRelay(future)).toThrow(`version must be ${WORK_FORMAT_VERSION}. Received: ${WORK_FORMAT_VERSION + 1}`);
  });

  it('refuse a prepared clip of version 1 (whole-clip features) and 2 (samples inside) naming what changed', () => {
    const old = encodeWork('prepared-clip', { features: { frameCount: 1, dim: 1, data: new Float32Array(1) }, segments: [] });
    old.write('"version":1,', old.indexOf('"version"'), 'utf8');
    expect(() => decodePreparedClip(old, silence)).toThrow(JobStepError);
    expect(() => decodePreparedClip(old, silence)).toThrow(
      `Work file version must be ${WORK_FORMAT_VERSION}. Received: 1 (written by an older farm; since then 2: prepared clips hold the audio samples and mel peak instead of the whole clip's features; 3: the audio samples are an object of their own (work/samples.f32), read by range). Submit the job again.`,
    );
    old.write('"version":2,', old.indexOf('"version"'), 'utf8');
    expect(() => decodePreparedClip(old, silence)).toThrow('Received: 2 (written by an older farm; since then 3: the audio samples are an object of their own');
  });

  it('refuse a prepared clip without its audio length', () => {
    const bytes = encodeWork('prepared-clip', { samples: new Float32Array(1), melPeak: 0, source: { image: { data: new Uint8Array(3) } }, segments: [] });
    expect(() => decodePreparedClip(bytes, silence)).toThrow('Work file does not hold a prepared clip (audio length, mel peak, source image, segments).');
  });
});
