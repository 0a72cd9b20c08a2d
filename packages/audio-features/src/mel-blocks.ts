import type { ModelSession } from '@portrait-farm/model-runtime';
import { AudioFeaturesError } from './errors.ts';
import { HOP, MEL_BINS, MEL_BLOCK, MEL_BLOCK_SAMPLES, MEL_TOP_DB, PAD_BEFORE } from './front-end-layout.ts';
import { checkStretchHolds, type SampleStretch } from './sample-stretch.ts';

/** Mel frames of a run of whole blocks, as melspectrogram.onnx returned them (before the global floor). */
export interface MelBlocks {
  /** First block index held. */
  first: number;
  /** Number of blocks held. */
  count: number;
  /** `count * MEL_BLOCK` frames of MEL_BINS values (dB), row-major. */
  data: Float32Array;
  /** Largest value in `data` (the largest mel cell of these frames). */
  peak: number;
}

const BLOCKS_PER_RUN = 256;

/** The clip's first sample that padded block `k` reads (negative in the padding before the audio). */
export function blockFirstSample(k: number): number {
  return k * MEL_BLOCK * HOP - PAD_BEFORE;
}

/** Writes padded block `k` (int16-scaled audio, zeros outside the audio) into `target` at `offset`. */
function fillBlock(audio: SampleStretch, k: number, target: Float32Array, offset: number): void {
  const start = blockFirstSample(k);
  checkStretchHolds(audio, start, start + MEL_BLOCK_SAMPLES);
  const { samples, clipLength } = audio;
  const shift = audio.offset;
  for (let i = 0; i < MEL_BLOCK_SAMPLES; i++) {
    const s = start + i;
    target[offset + i] = s >= 0 && s < clipLength ? samples[s - shift]! * 32768 : 0;
  }
}

/** One padded block `block` of `audio` (samples at or past `audio.clipLength` read as zeros). */
export interface MelBlockRequest {
  audio: SampleStretch;
  block: number;
}

/**
 * Runs melspectrogram.onnx on the listed blocks, each from its own MEL_BLOCK_SAMPLES samples, so every block is
 * computed from the same input shape whoever asks for it (samples outside the clip read as zeros), and
 * hands each run's output (MEL_BLOCK frames per listed block, in list order) to `consume` with its list offset.
 */
async function runBlocks(session: ModelSession, requests: readonly MelBlockRequest[], consume: (mel: Float32Array, offset: number) => void): Promise<void> {
  for (let done = 0; done < requests.length; done += BLOCKS_PER_RUN) {
    const n = Math.min(BLOCKS_PER_RUN, requests.length - done);
    const input = new Float32Array(n * MEL_BLOCK_SAMPLES);
    for (let b = 0; b < n; b++) fillBlock(requests[done + b]!.audio, requests[done + b]!.block, input, b * MEL_BLOCK_SAMPLES);
    const outputs = await session.run({ input: { data: input, dims: [n, MEL_BLOCK_SAMPLES] } });
    const mel = outputs['output'];
    const expected = n * MEL_BLOCK * MEL_BINS;
    if (mel === undefined || !(mel.data instanceof Float32Array) || mel.data.length !== expected) {
      throw new AudioFeaturesError(
        'AUDIO_FEATURES_BAD_MODEL',
        `melspectrogram model: expected float32 output "output" with ${expected} values for ${n} blocks, got ${mel === undefined ? 'no such output' : `${mel.data.length} values`}`,
      );
    }
    consume(mel.data, done);
  }
}

function requestsOf(audio: SampleStretch, blocks: readonly number[]): MelBlockRequest[] {
  return blocks.map((block) => ({ audio, block }));
}

function maxOf(values: Float32Array, from: number): number {
  let peak = from;
  for (let i = 0; i < values.length; i++) if (values[i]! > peak) peak = values[i]!;
  return peak;
}

/** Mel frames of blocks [first, end), with their largest cell. */
export async function computeMelBlocks(session: ModelSession, audio: SampleStretch, first: number, end: number): Promise<MelBlocks> {
  const count = Math.max(0, end - first);
  const data = new Float32Array(count * MEL_BLOCK * MEL_BINS);
  let peak = -Infinity;
  const blocks = Array.from({ length: count }, (_, i) => first + i);
  await runBlocks(session, requestsOf(audio, blocks), (mel, offset) => {
    data.set(mel, offset * MEL_BLOCK * MEL_BINS);
    peak = maxOf(mel, peak);
  });
  return { first, count, data, peak };
}

/** The largest mel cell of the listed blocks (-Infinity for none). */
export async function melPeakOfBlocks(session: ModelSession, audio: SampleStretch, blocks: readonly number[]): Promise<number> {
  let peak = -Infinity;
  await runBlocks(session, requestsOf(audio, blocks), (mel) => {
    peak = maxOf(mel, peak);
  });
  return peak;
}

/**
 * Mel frames of each requested block (MEL_BLOCK frames of MEL_BINS values), each block in a model run of its own:
 * the model floors every cell at its whole input's peak - 80 dB, so a block run alone has values that depend on its
 * samples only, not on the blocks that happened to share its run.
 */
export async function computeMelBlocksAlone(session: ModelSession, requests: readonly MelBlockRequest[]): Promise<Float32Array[]> {
  return Promise.all(
    requests.map(async (request) => {
      let out: Float32Array = new Float32Array(0);
      await runBlocks(session, [request], (mel) => {
        out = mel;
      });
      return out;
    }),
  );
}

/**
 * The floor melspectrogram.onnx applies, `peak - 80 dB`, in float32 as the model computes it. The model floors at
 * the peak of its own input; flooring again at the clip's peak gives what one run over the whole clip gives.
 */
export function melFloor(peak: number): number {
  return Math.fround(peak - MEL_TOP_DB);
}

/** openWakeWord's transform of a floored mel value, `mel / 10 + 2`, in float32. */
export function transformMel(value: number, floor: number): number {
  return Math.fround(Math.fround((value > floor ? value : floor) / 10) + 2);
}
