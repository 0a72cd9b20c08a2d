import type { ModelSession } from '@portrait-farm/model-runtime';
import { AudioFeaturesError } from './errors.ts';
import { EMB_DIM, EMB_WINDOW, FEATURE_DIM, LOCAL_MEL, MEL_BINS, centreMelFrame, firstMelFrame } from './front-end-layout.ts';
import { transformMel } from './mel-blocks.ts';

/** Raw mel value (dB, before the clip-wide floor) of padded mel frame `j`, band `bin`. */
export type MelLookup = (j: number, bin: number) => number;

/** What one feature row is computed from: its motion frame, the mel frames it reads and the floor they take. */
export interface RowSource {
  frame: number;
  mel: MelLookup;
  /** `melFloor(peak)` for the peak this row is floored at. */
  floor: number;
}

/**
 * Feature rows (FEATURE_DIM floats each, row-major, in `sources` order): the embedding of each row's 76 mel frames,
 * `batch` windows per embedding run (results do not depend on it), then its 8 local mel frames averaged in pairs.
 */
export async function computeFeatureRows(embedding: ModelSession, sources: readonly RowSource[], batch: number): Promise<Float32Array> {
  const n = sources.length;
  const out = new Float32Array(n * FEATURE_DIM);
  const melRow = (source: RowSource, j: number, bin: number): number => transformMel(source.mel(j, bin), source.floor);
  for (let done = 0; done < n; done += batch) {
    const m = Math.min(batch, n - done);
    const windows = new Float32Array(m * EMB_WINDOW * MEL_BINS);
    for (let w = 0; w < m; w++) {
      const source = sources[done + w]!;
      const j0 = firstMelFrame(source.frame);
      for (let r = 0; r < EMB_WINDOW; r++) {
        for (let bin = 0; bin < MEL_BINS; bin++) windows[(w * EMB_WINDOW + r) * MEL_BINS + bin] = melRow(source, j0 + r, bin);
      }
    }
    const result = (await embedding.run({ input_1: { data: windows, dims: [m, EMB_WINDOW, MEL_BINS, 1] } }))['conv2d_19'];
    if (result === undefined || !(result.data instanceof Float32Array) || result.data.length !== m * EMB_DIM) {
      throw new AudioFeaturesError('AUDIO_FEATURES_BAD_MODEL', `embedding model: expected float32 output "conv2d_19" with ${m * EMB_DIM} values`);
    }
    for (let w = 0; w < m; w++) out.set(result.data.subarray(w * EMB_DIM, (w + 1) * EMB_DIM), (done + w) * FEATURE_DIM);
  }
  for (let t = 0; t < n; t++) {
    const source = sources[t]!;
    const j0 = centreMelFrame(source.frame) - LOCAL_MEL / 2;
    for (let pair = 0; pair < LOCAL_MEL / 2; pair++) {
      for (let bin = 0; bin < MEL_BINS; bin++) {
        const sum = Math.fround(melRow(source, j0 + 2 * pair, bin) + melRow(source, j0 + 2 * pair + 1, bin));
        out[t * FEATURE_DIM + EMB_DIM + pair * MEL_BINS + bin] = Math.fround(sum / 2);
      }
    }
  }
  return out;
}
