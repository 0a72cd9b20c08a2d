import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveRenderOptions, type RenderClipOptions } from './render-options.ts';
import { outputFrameCount } from './prepare-clip.ts';

const fixtures = new URL('../../../test/fixtures/', import.meta.url).pathname;
const pack = mkdtempSync(join(tmpdir(), 'engine-options-'));
writeFileSync(join(pack, 'manifest.json'), '{}');
const base: RenderClipOptions = { image: `${fixtures}astronaut.png`, audio: `${fixtures}speech-3s.wav`, out: join(pack, 'out.mp4'), pack };

describe('resolveRenderOptions', () => {
  it('names the option, the range and the value', () => {
    expect(resolveRenderOptions(base)).toMatchObject({ fps: 25, mode: 'full', seed: 0, renderThreads: Math.min(2, availableParallelism()), steps: null });
    expect(() => resolveRenderOptions({ ...base, fps: 75 })).toThrow('fps must be an integer between 12 and 60. Passed: 75');
    expect(() => resolveRenderOptions({ ...base, seed: -1 })).toThrow('seed must be an integer between 0 and 4294967295. Passed: -1');
    expect(() => resolveRenderOptions({ ...base, mode: 'wide' as 'full' })).toThrow('mode must be one of full, crop. Passed: "wide"');
    expect(() => resolveRenderOptions({ ...base, image: 'missing.png' })).toThrow('image file not found: missing.png');
    expect(() => resolveRenderOptions({ ...base, out: '/no/such/dir/out.mp4' })).toThrow('The output folder of /no/such/dir/out.mp4 does not exist.');
    expect(() => resolveRenderOptions({ ...base, pack: '/tmp' })).toThrow('Model pack not found: /tmp has no manifest.json');
  });
});

describe('outputFrameCount', () => {
  it('covers the whole audio, never a frame more than needed', () => {
    expect(outputFrameCount(3.635, 25)).toBe(91);
    expect(outputFrameCount(2, 25)).toBe(50);
    expect(outputFrameCount(2, 30)).toBe(60);
    expect(outputFrameCount(0.5, 12)).toBe(6);
  });
});
