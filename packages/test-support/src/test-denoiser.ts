import { CHANNEL, MOTION_CHANNEL_COUNT } from '@portrait-farm/contracts';
import { encodeOnnxModel, type OnnxElementType, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './onnx-encoder.ts';

export const DENOISER_INPUTS = Object.freeze(['x_t', 'timestep', 'audio', 'audio_keep', 'prev_motion', 'prev_keep'] as const);
export type DenoiserInputName = (typeof DENOISER_INPUTS)[number];

/** Options of {@link buildTestDenoiser}; the defaults give exactly the SPEC signature of the starter pack. */
export interface TestDenoiserOptions {
  /** @defaultValue 50 */
  window?: number;
  /** @defaultValue 10 */
  context?: number;
  /** @defaultValue 20 */
  channels?: number;
  /** @defaultValue 224 */
  featureDim?: number;
  /** Name of the batch dimension; a number fixes it (a broken pack). @defaultValue 'batch' */
  batch?: string | number;
  /** Element type per input (a non-float input is cast to float inside). @defaultValue all float32 */
  inputTypes?: Partial<Record<DenoiserInputName, OnnxElementType>>;
  /** Graph names replacing the SPEC names (a broken pack). @defaultValue none */
  rename?: Partial<Record<DenoiserInputName | 'prediction', string>>;
}

const FEATURE_EMB = 96;
/** Mean log-mel feature (mel / 10 + 2) where the test jaw starts to open: speech is about 8-10, pauses 4.5-6. */
const JAW_THRESHOLD = 7;
const JAW_GAIN = 1.2;

/**
 * Weights of the test denoiser, from fixed formulas. prediction = out * tanh(g * x_t + keep_a * (audio @ A)
 * + keep_p * d * mean_k(prev_motion) + tau * timestep + bias): the jaw channel follows the mean of the
 * local log-mel features (loud -> open), every channel a little of the speech embedding, and the context mean
 * pulls each channel towards where the previous window ended.
 */
function weights(channels: number, featureDim: number): Record<string, number[]> {
  const jaw = CHANNEL.jaw_open;
  const melCount = Math.max(0, featureDim - FEATURE_EMB);
  const a: number[] = [];
  for (let f = 0; f < featureDim; f++) {
    for (let c = 0; c < channels; c++) {
      if (f >= FEATURE_EMB && c === jaw) a.push(JAW_GAIN / melCount);
      else if (f < FEATURE_EMB) a.push(0.004 * Math.sin(f * 0.7 + c * 1.3));
      else a.push(0);
    }
  }
  const perChannel = (fn: (c: number) => number): number[] => Array.from({ length: channels }, (_, c) => fn(c));
  return {
    A: a,
    g: perChannel((c) => 0.15 + 0.01 * c),
    d: perChannel((c) => 0.15 + 0.02 * Math.cos(c)),
    tau: perChannel((c) => 1e-4 * Math.sin(c + 1)),
    bias: perChannel((c) => (c === jaw ? -JAW_GAIN * JAW_THRESHOLD : 0.1 * Math.sin(c * 2.1))),
    out: perChannel(() => 1),
  };
}

/** The ONNX bytes of a small deterministic denoiser with the denoiser signature of models/SPEC.md. */
export function buildTestDenoiser(options: TestDenoiserOptions = {}): Uint8Array {
  const w = options.window ?? 50;
  const k = options.context ?? 10;
  const c = options.channels ?? MOTION_CHANNEL_COUNT;
  const f = options.featureDim ?? 224;
  const batch = options.batch ?? 'batch';
  const types = options.inputTypes ?? {};
  const name = (n: DenoiserInputName | 'prediction'): string => options.rename?.[n] ?? n;
  const p = weights(c, f);

  const shapes: Record<DenoiserInputName, Array<number | string>> = {
    x_t: [batch, w, c],
    timestep: [batch],
    audio: [batch, w, f],
    audio_keep: [batch],
    prev_motion: [batch, k, c],
    prev_keep: [batch],
  };
  const nodes: OnnxNode[] = [];
  const inputs: OnnxValueInfo[] = [];
  const value: Record<DenoiserInputName, string> = { ...Object.fromEntries(DENOISER_INPUTS.map((n) => [n, name(n)])) } as Record<DenoiserInputName, string>;
  for (const input of DENOISER_INPUTS) {
    const type = types[input] ?? 'float32';
    inputs.push({ name: name(input), type, shape: shapes[input] });
    if (type !== 'float32') {
      nodes.push({ op: 'Cast', inputs: [name(input)], outputs: [`${input}_f`], attributes: [{ name: 'to', int: 1 }] });
      value[input] = `${input}_f`;
    }
  }
  const initializers: OnnxTensor[] = [
    { name: 'shape_b11', type: 'int64', dims: [3], values: [-1, 1, 1] },
    { name: 'A', type: 'float32', dims: [f, c], values: p['A']! },
    ...(['g', 'd', 'tau', 'bias', 'out'] as const).map((n): OnnxTensor => ({ name: n, type: 'float32', dims: [c], values: p[n]! })),
  ];
  nodes.push(
    { op: 'Reshape', inputs: [value.audio_keep, 'shape_b11'], outputs: ['keep_a'] },
    { op: 'Reshape', inputs: [value.prev_keep, 'shape_b11'], outputs: ['keep_p'] },
    { op: 'Reshape', inputs: [value.timestep, 'shape_b11'], outputs: ['t_col'] },
    { op: 'MatMul', inputs: [value.audio, 'A'], outputs: ['audio_proj'] },
    { op: 'Mul', inputs: ['audio_proj', 'keep_a'], outputs: ['audio_term'] },
    { op: 'ReduceMean', inputs: [value.prev_motion], outputs: ['ctx_mean'], attributes: [{ name: 'axes', ints: [1] }, { name: 'keepdims', int: 1 }] },
    { op: 'Mul', inputs: ['ctx_mean', 'd'], outputs: ['ctx_proj'] },
    { op: 'Mul', inputs: ['ctx_proj', 'keep_p'], outputs: ['ctx_term'] },
    { op: 'Mul', inputs: [value.x_t, 'g'], outputs: ['x_term'] },
    { op: 'Mul', inputs: ['t_col', 'tau'], outputs: ['t_term'] },
    { op: 'Add', inputs: ['x_term', 'audio_term'], outputs: ['s1'] },
    { op: 'Add', inputs: ['s1', 'ctx_term'], outputs: ['s2'] },
    { op: 'Add', inputs: ['s2', 't_term'], outputs: ['s3'] },
    { op: 'Add', inputs: ['s3', 'bias'], outputs: ['s4'] },
    { op: 'Tanh', inputs: ['s4'], outputs: ['squashed'] },
    { op: 'Mul', inputs: ['squashed', 'out'], outputs: [name('prediction')] },
  );
  return encodeOnnxModel({
    name: 'portrait_farm_test_denoiser',
    nodes,
    initializers,
    inputs,
    outputs: [{ name: name('prediction'), type: 'float32', shape: [batch, w, c] }],
  });
}
