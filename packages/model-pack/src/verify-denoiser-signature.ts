import type { TensorSignature } from '@portrait-farm/model-runtime';
import { displayPath } from './display-path.ts';
import { PackError } from './errors.ts';
import type { PackDenoiser } from './model-pack.ts';

type Dim = number | 'B';

interface Expected {
  name: string;
  dims: readonly Dim[];
  why: string;
}

/** The denoiser signature of models/SPEC.md for the manifest's sizes. */
export function expectedDenoiserSignature(denoiser: Pick<PackDenoiser, 'window' | 'context'>, channels: number, featureDim: number): { inputs: Expected[]; outputs: Expected[] } {
  const w = denoiser.window;
  const k = denoiser.context;
  const sizes = `manifest denoiser.window ${w}, ${channels} channels`;
  return {
    inputs: [
      { name: 'x_t', dims: ['B', w, channels], why: sizes },
      { name: 'timestep', dims: ['B'], why: 'SPEC: one timestep per batch row' },
      { name: 'audio', dims: ['B', w, featureDim], why: `manifest audio.feature_dim ${featureDim}, denoiser.window ${w}` },
      { name: 'audio_keep', dims: ['B'], why: 'SPEC: one flag per batch row' },
      { name: 'prev_motion', dims: ['B', k, channels], why: `manifest denoiser.context ${k}, ${channels} channels` },
      { name: 'prev_keep', dims: ['B'], why: 'SPEC: one flag per batch row' },
    ],
    outputs: [{ name: 'prediction', dims: ['B', w, channels], why: sizes }],
  };
}

function format(shape: ReadonlyArray<number | string>): string {
  return `[${shape.map((d) => (typeof d === 'number' && d >= 0 ? String(d) : 'B')).join(',')}]`;
}

function matches(actual: ReadonlyArray<number | string>, expected: readonly Dim[]): boolean {
  if (actual.length !== expected.length) return false;
  return expected.every((d, i) => {
    const a = actual[i]!;
    return d === 'B' ? typeof a === 'string' || a < 0 : a === d;
  });
}

function check(file: string, kind: 'input' | 'output', actual: readonly TensorSignature[], expected: readonly Expected[]): void {
  const names = actual.map((a) => a.name);
  for (const want of expected) {
    const found = actual.find((a) => a.name === want.name);
    if (found === undefined) {
      throw new PackError('PACK_SIGNATURE', `${file}: ${kind} ${want.name} is missing, expected ${kind}s ${expected.map((e) => e.name).join(', ')}; found ${names.join(', ')}`);
    }
    if (found.type !== 'float32') {
      throw new PackError('PACK_SIGNATURE', `${file}: ${kind} ${want.name} has element type ${found.type}, expected float32 (SPEC denoiser signature)`);
    }
    if (!matches(found.shape, want.dims)) {
      const batchFixed = found.shape.length === want.dims.length && typeof found.shape[0] === 'number' && found.shape[0] >= 0;
      const detail = batchFixed ? `; the batch dimension must be dynamic, found ${found.shape[0]}` : ` (${want.why})`;
      throw new PackError('PACK_SIGNATURE', `${file}: ${kind} ${want.name} has shape ${format(found.shape)}, expected ${format(want.dims)}${detail}`);
    }
  }
  const extra = names.filter((n) => !expected.some((e) => e.name === n));
  if (extra.length > 0) {
    throw new PackError('PACK_SIGNATURE', `${file}: unexpected ${kind}${extra.length > 1 ? 's' : ''} ${extra.join(', ')}, expected exactly ${expected.map((e) => e.name).join(', ')}`);
  }
}

/** Checks a loaded denoiser's inputs and outputs against the SPEC signature for the manifest's sizes. */
export function verifyDenoiserSignature(
  denoiser: Pick<PackDenoiser, 'file' | 'window' | 'context'>,
  channels: number,
  featureDim: number,
  session: { inputs: readonly TensorSignature[]; outputs: readonly TensorSignature[] },
): void {
  const expected = expectedDenoiserSignature(denoiser, channels, featureDim);
  const file = displayPath(denoiser.file);
  check(file, 'input', session.inputs, expected.inputs);
  check(file, 'output', session.outputs, expected.outputs);
}
