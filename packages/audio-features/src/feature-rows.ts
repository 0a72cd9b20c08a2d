import type { ModelSession, TensorData } from '@portrait-farm/model-runtime';
import { AudioFeaturesError } from './errors.ts';
import { EMB_DIM, EMB_WINDOW, FEATURE_DIM, LOCAL_MEL, MEL_BINS, MEL_PER_FRAME, centreMelFrame, firstMelFrame } from './front-end-layout.ts';
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

/** Mel frames between the starts of the windows that one run of embedding_sequence.onnx embeds (its three 2x pools). */
const SEQUENCE_STRIDE = 8;
const ROWS_PER_STRIDE = SEQUENCE_STRIDE / MEL_PER_FRAME;

/** Writes row `row`'s 8 local mel frames, averaged in pairs, after its embedding; `melOf(j, bin)` is floored already. */
function writeLocalMel(out: Float32Array, row: number, frame: number, melOf: (j: number, bin: number) => number): void {
  const j0 = centreMelFrame(frame) - LOCAL_MEL / 2;
  for (let pair = 0; pair < LOCAL_MEL / 2; pair++) {
    for (let bin = 0; bin < MEL_BINS; bin++) {
      const sum = Math.fround(melOf(j0 + 2 * pair, bin) + melOf(j0 + 2 * pair + 1, bin));
      out[row * FEATURE_DIM + EMB_DIM + pair * MEL_BINS + bin] = Math.fround(sum / 2);
    }
  }
}

function embeddingsOf(result: TensorData | undefined, model: string, name: string, count: number): Float32Array {
  if (result === undefined || !(result.data instanceof Float32Array) || result.data.length !== count * EMB_DIM) {
    throw new AudioFeaturesError('AUDIO_FEATURES_BAD_MODEL', `${model}: expected float32 output "${name}" with ${count * EMB_DIM} values`);
  }
  return result.data;
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
    const embeddings = embeddingsOf(result, 'embedding model', 'conv2d_19', m);
    for (let w = 0; w < m; w++) out.set(embeddings.subarray(w * EMB_DIM, (w + 1) * EMB_DIM), (done + w) * FEATURE_DIM);
  }
  for (let t = 0; t < n; t++) {
    const source = sources[t]!;
    writeLocalMel(out, t, source.frame, (j, bin) => melRow(source, j, bin));
  }
  return out;
}

/**
 * The rows of consecutive frames [start, end) that share one mel lookup and floor (a clip or a stretch of it, floored
 * at its peak), equal bit for bit to {@link computeFeatureRows}, with embedding_sequence.onnx: each run embeds the
 * mel frames of `rowsPerRun` rows twice (the windows of even rows, then those of odd rows, 8 mel frames apart), so a
 * mel frame goes through the network about twice instead of once for each of the 19 windows that hold it.
 */
export async function computeFeatureRowsOverSequence(
  embeddingSequence: ModelSession,
  mel: MelLookup,
  floor: number,
  start: number,
  end: number,
  rowsPerRun: number,
): Promise<Float32Array> {
  const out = new Float32Array((end - start) * FEATURE_DIM);
  for (let first = start; first < end; first += rowsPerRun) {
    const rows = Math.min(rowsPerRun, end - first);
    const j0 = firstMelFrame(first);
    const frames = MEL_PER_FRAME * (rows - 1) + EMB_WINDOW;
    const sequence = new Float32Array(frames * MEL_BINS);
    for (let r = 0; r < frames; r++) {
      for (let bin = 0; bin < MEL_BINS; bin++) sequence[r * MEL_BINS + bin] = transformMel(mel(j0 + r, bin), floor);
    }
    for (let phase = 0; phase < ROWS_PER_STRIDE && phase < rows; phase++) {
      const windows = Math.floor((rows - 1 - phase) / ROWS_PER_STRIDE) + 1;
      const skip = phase * MEL_PER_FRAME;
      const input = sequence.slice(skip * MEL_BINS, (skip + SEQUENCE_STRIDE * (windows - 1) + EMB_WINDOW) * MEL_BINS);
      const result = (await embeddingSequence.run({ mel: { data: input, dims: [1, input.length / MEL_BINS, MEL_BINS, 1] } }))['embeddings'];
      const embeddings = embeddingsOf(result, 'embedding sequence model', 'embeddings', windows);
      for (let w = 0; w < windows; w++) {
        const row = first - start + phase + ROWS_PER_STRIDE * w;
        out.set(embeddings.subarray(w * EMB_DIM, (w + 1) * EMB_DIM), row * FEATURE_DIM);
      }
    }
    for (let t = 0; t < rows; t++) {
      writeLocalMel(out, first - start + t, first + t, (j, bin) => sequence[(j - j0) * MEL_BINS + bin]!);
    }
  }
  return out;
}
