import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NoiseSchedule, PredictionType } from '@portrait-farm/model-pack';
import { createModelSession, type ModelSession } from '@portrait-farm/model-runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { alphaBarTable } from './schedule.ts';
import type { Solver } from './solvers.ts';
import { sampleWindow } from './window-sampler.ts';

/**
 * Parity of the exported starter denoiser with PyTorch, from models/starter/parity-fixture.json (written by
 * models/training/portrait_train/export.py): onnxruntime-node on the fixture's B = 2 inputs, and this package's
 * samplers against the fixture's guided sampling runs. PORTRAIT_FARM_PARITY_DIR points it at another exported pack.
 */
const packDir = process.env['PORTRAIT_FARM_PARITY_DIR'] ?? fileURLToPath(new URL('../../../models/starter/', import.meta.url));
const fixturePath = join(packDir, 'parity-fixture.json');
const present = existsSync(fixturePath) && existsSync(join(packDir, 'denoiser.onnx'));

interface Encoded {
  dims: number[];
  dtype: 'float32';
  base64: string;
}

interface ParityFixture {
  tolerance: number;
  inputs: Record<string, Encoded>;
  outputs: { prediction: Encoded };
  sampling?: {
    guidance: number;
    steps: number;
    prev_keep: number;
    noise: Encoded;
    audio: string;
    prev_motion: string;
    results: Record<string, Encoded>;
  };
}

function decode(entry: Encoded): Float32Array {
  const bytes = Buffer.from(entry.base64, 'base64');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from({ length: bytes.byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true));
}

/** Row `index` of a batched input, e.g. "inputs.audio[0]". */
function row(fixture: ParityFixture, reference: string): Float32Array {
  const match = /^inputs\.(\w+)\[(\d+)\]$/.exec(reference);
  if (match === null) throw new Error(`unexpected reference ${reference}`);
  const entry = fixture.inputs[match[1]!]!;
  const size = entry.dims.slice(1).reduce((a, b) => a * b, 1);
  return decode(entry).slice(Number(match[2]) * size, (Number(match[2]) + 1) * size);
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe.skipIf(!present)('starter pack parity with PyTorch', () => {
  const sessions: ModelSession[] = [];
  afterAll(async () => {
    for (const s of sessions) await s.close();
  });

  it('runs the fixture batch through onnxruntime-node within the fixture tolerance', async () => {
    const fixture = JSON.parse(readFileSync(fixturePath, 'utf8')) as ParityFixture;
    const session = await createModelSession(join(packDir, 'denoiser.onnx'), { providers: ['cpu'] });
    sessions.push(session);
    const feeds = Object.fromEntries(Object.entries(fixture.inputs).map(([name, entry]) => [name, { data: decode(entry), dims: entry.dims }]));
    const outputs = await session.run(feeds);
    const got = outputs['prediction']!;
    expect(got.dims).toEqual(fixture.outputs.prediction.dims);
    const error = maxAbs(got.data as Float32Array, decode(fixture.outputs.prediction));
    console.log(`starter parity: denoiser onnxruntime-node vs PyTorch max abs error ${error.toExponential(3)} (tolerance ${fixture.tolerance})`);
    expect(error).toBeLessThanOrEqual(fixture.tolerance);
  });

  it('reproduces the fixture guided sampling runs with both solvers', async (context) => {
    const fixture = JSON.parse(readFileSync(fixturePath, 'utf8')) as ParityFixture;
    const sampling = fixture.sampling;
    if (sampling === undefined) context.skip();
    const manifest = JSON.parse(readFileSync(join(packDir, 'manifest.json'), 'utf8')) as { denoiser: { prediction: PredictionType; schedule: Record<string, number | string> } };
    const raw = manifest.denoiser.schedule;
    const schedule: NoiseSchedule =
      raw['type'] === 'linear'
        ? { type: 'linear', timesteps: Number(raw['timesteps']), betaStart: Number(raw['beta_start']), betaEnd: Number(raw['beta_end']) }
        : { type: 'cosine', timesteps: Number(raw['timesteps']), s: Number(raw['s']) };
    // The Python samplers read alpha_bar from a float32 table.
    const alphaBar = Float64Array.from(Float32Array.from(alphaBarTable(schedule)));
    const session = await createModelSession(join(packDir, 'denoiser.onnx'), { providers: ['cpu'] });
    sessions.push(session);
    const noiseEntry = sampling!.noise;
    const [, window, channels] = noiseEntry.dims as [number, number, number];
    const audio = row(fixture, sampling!.audio);
    const prevMotion = row(fixture, sampling!.prev_motion);
    for (const [solver, expected] of Object.entries(sampling!.results)) {
      const result = await sampleWindow(
        // The fixture's PyTorch runs sample without seam continuity.
        { session, alphaBar, prediction: manifest.denoiser.prediction, guidance: sampling!.guidance, solver: solver as Solver, steps: sampling!.steps, continuity: new Float64Array(0) },
        { audio, prevMotion, prevKeep: sampling!.prev_keep === 1 ? 1 : 0, window, context: prevMotion.length / channels, channels, featureDim: audio.length / window },
        Float64Array.from(decode(noiseEntry)),
      );
      const error = maxAbs(result, decode(expected));
      console.log(`starter parity: ${solver} ${sampling!.steps} steps, guidance ${sampling!.guidance}: max abs error ${error.toExponential(3)} vs PyTorch`);
      expect(error).toBeLessThan(1e-3);
    }
  });
});

describe.runIf(!present)('starter pack parity with PyTorch (skipped)', () => {
  it(`skips: ${fixturePath} does not exist yet (written by models/training export.py)`, () => {
    expect(present).toBe(false);
  });
});
