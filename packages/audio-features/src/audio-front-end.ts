import { createModelSession, type ExecutionProvider, type ModelSession } from '@portrait-farm/model-runtime';
import { AudioFeaturesError } from './errors.ts';
import { MEL_BINS, MEL_BLOCK, clipMelBlockEnd, frameCount, melBlocksFor, samplesNeeded } from './front-end-layout.ts';
import { computeFeatureRows, computeFeatureRowsOverSequence } from './feature-rows.ts';
import { createFeatureStream, type FeatureStream, type FeatureStreamOptions } from './feature-stream.ts';
import { computeMelBlocks, melFloor, type MelBlocks } from './mel-blocks.ts';
import { createMelPeakStream, type MelPeakStream } from './mel-peak-stream.ts';
import { searchMelPeak } from './mel-peak-search.ts';
import { isSampleStretch, wholeClip, type SampleStretch } from './sample-stretch.ts';

/** Options of {@link createAudioFrontEnd}. */
export interface AudioFrontEndOptions {
  /** Path of melspectrogram.onnx (a pack's `audio.mel`). */
  melModel: string;
  /** Path of embedding_model.onnx (a pack's `audio.embedding`). */
  embeddingModel: string;
  /**
   * Path of embedding_sequence.onnx (a pack's `audio.embeddingSequence`): whole clips and stretches then embed each
   * mel frame about twice instead of once per window that holds it (about 9x less embedding CPU), with the same rows
   * bit for bit. Live feature streams keep the window model (each row may take its own floor there).
   * @defaultValue none: every row embeds its own window
   */
  embeddingSequenceModel?: string | null;
  /**
   * Execution providers to try, in order.
   * @defaultValue model-runtime's default (PORTRAIT_FARM_PROVIDERS, else cuda, webgpu, cpu)
   */
  providers?: ExecutionProvider[];
  /**
   * Embedding windows per embedding run. Results do not depend on it.
   * @defaultValue 128
   */
  embeddingBatch?: number;
  /**
   * Receives one line per model naming the execution provider that runs it.
   * @defaultValue none
   */
  log?: (line: string) => void;
}

/** Feature rows of motion frames [startFrame, startFrame + frameCount): `frameCount * 224` floats, row-major. */
export interface FeatureRows {
  startFrame: number;
  frameCount: number;
  dim: 224;
  data: Float32Array;
}

/** Features of a whole clip (rows of frames [0, frameCount)), with the mel peak they were floored at. */
export interface AudioFeatures {
  frameCount: number;
  dim: 224;
  data: Float32Array;
  /** The clip's largest mel value (dB); pass it to `featuresRange` to reproduce these rows exactly. */
  melPeak: number;
}

/** Options of {@link AudioFrontEnd.featuresRange}. */
export interface FeatureRangeOptions {
  /**
   * The clip's mel peak (dB). melspectrogram.onnx floors every mel value at `peak - 80 dB` over its input, so rows
   * equal a whole-clip run only when flooring uses the whole clip's peak (see README).
   * @defaultValue the peak of `samples` (required when they are a stretch of the clip)
   */
  melPeak?: number;
  /**
   * Whether `samples` is the whole clip (audio past its end is silence). When false, `samples` is the audio
   * received so far and must hold at least `samplesNeeded(end)` samples.
   * @defaultValue true
   */
  audioComplete?: boolean;
}

/** The audio front-end `oww-mel-emb-v1` of models/SPEC.md, with its two models loaded in worker threads. */
export interface AudioFrontEnd {
  /** Features of every motion frame of the clip (`ceil(n / 640)` rows), as models/training computes them. */
  features(samples: Float32Array): Promise<AudioFeatures>;
  /**
   * Rows [start, end) of the clip's features; equal bit for bit to the same rows of `features`. `samples` is the
   * whole clip, or a stretch of it that holds the samples these rows read (`samplesForFrames`).
   */
  featuresRange(samples: Float32Array | SampleStretch, start: number, end: number, options?: FeatureRangeOptions): Promise<FeatureRows>;
  /** The clip's mel peak, the value `features` floors at (cheap: the mel model only). */
  melPeak(samples: Float32Array): Promise<number>;
  /** The same peak, computed while the audio is decoded: push the samples so far, finish with all of them. */
  melPeakStream(): MelPeakStream;
  /** Rows of live audio, computed as it arrives (one utterance at a time; see {@link FeatureStream}). */
  featureStream(options?: FeatureStreamOptions): FeatureStream;
  /** The feature row of digital silence (frame 25 of 2 s of zeros), what windows past the audio are padded with. */
  silenceFeature(): Promise<Float32Array>;
  close(): Promise<void>;
}

const SILENCE_SAMPLES = 32000;
const SILENCE_FRAME = 25;

function checkSamples(samples: Float32Array): void {
  if (!(samples instanceof Float32Array)) {
    throw new AudioFeaturesError('AUDIO_FEATURES_BAD_SAMPLES', `samples must be a Float32Array of 16 kHz mono audio. Passed: ${Object.prototype.toString.call(samples)}`);
  }
  for (let i = 0; i < samples.length; i++) {
    if (!Number.isFinite(samples[i]!)) {
      throw new AudioFeaturesError('AUDIO_FEATURES_BAD_SAMPLES', `samples must be finite numbers. Passed: ${samples[i]} at index ${i}`);
    }
  }
}

function checkRange(audio: SampleStretch, start: number, end: number, complete: boolean): void {
  const total = frameCount(audio.clipLength);
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start) {
    throw new AudioFeaturesError('AUDIO_FEATURES_BAD_RANGE', `frame range must be integers with 0 <= start <= end. Passed: [${start}, ${end})`);
  }
  if (complete && end > total) {
    throw new AudioFeaturesError('AUDIO_FEATURES_BAD_RANGE', `frame range must end at or before the clip's ${total} frames (${audio.clipLength} samples). Passed: [${start}, ${end})`);
  }
  if (!complete && audio.clipLength < samplesNeeded(end)) {
    throw new AudioFeaturesError(
      'AUDIO_FEATURES_NEED_MORE_AUDIO',
      `frames [${start}, ${end}) need ${samplesNeeded(end)} samples of audio while it is still arriving. Passed: ${audio.clipLength}`,
    );
  }
}

/** Loads the front-end's two models. */
export async function createAudioFrontEnd(options: AudioFrontEndOptions): Promise<AudioFrontEnd> {
  const sessionOptions = { ...(options.providers ? { providers: options.providers } : {}), ...(options.log ? { log: options.log } : {}) };
  const batch = options.embeddingBatch ?? 128;
  if (!Number.isInteger(batch) || batch < 1) {
    throw new AudioFeaturesError('AUDIO_FEATURES_BAD_RANGE', `embeddingBatch must be a positive integer. Passed: ${batch}`);
  }
  const mel = await createModelSession(options.melModel, sessionOptions);
  let embedding: ModelSession;
  let embeddingSequence: ModelSession | null = null;
  try {
    embedding = await createModelSession(options.embeddingModel, sessionOptions);
  } catch (error) {
    await mel.close();
    throw error;
  }
  if (options.embeddingSequenceModel) {
    try {
      embeddingSequence = await createModelSession(options.embeddingSequenceModel, sessionOptions);
    } catch (error) {
      await Promise.all([mel.close(), embedding.close()]);
      throw error;
    }
  }
  let closed = false;
  let silence: Float32Array | null = null;

  const ensureOpen = (): void => {
    if (closed) throw new AudioFeaturesError('AUDIO_FEATURES_CLOSED', 'audio front-end is closed');
  };

  const peakOf = async (samples: Float32Array): Promise<number> => {
    return searchMelPeak(mel, wholeClip(samples), 0, clipMelBlockEnd(samples.length));
  };

  const rows = async (blocks: MelBlocks, start: number, end: number, peak: number): Promise<Float32Array> => {
    const floor = melFloor(peak);
    const mel = (j: number, bin: number): number => blocks.data[(j - blocks.first * MEL_BLOCK) * MEL_BINS + bin]!;
    if (embeddingSequence !== null) return computeFeatureRowsOverSequence(embeddingSequence, mel, floor, start, end, batch);
    const sources = Array.from({ length: end - start }, (_, t) => ({ frame: start + t, mel, floor }));
    return computeFeatureRows(embedding, sources, batch);
  };

  /** `peak` may be null only when `audio` is the whole clip. */
  const range = async (audio: SampleStretch, start: number, end: number, peak: number | null): Promise<{ data: Float32Array; peak: number }> => {
    if (end === start) return { data: new Float32Array(0), peak: peak ?? (await peakOf(audio.samples)) };
    const needed = melBlocksFor(start, end);
    const blocks = await computeMelBlocks(mel, audio, needed.first, needed.end);
    // Frames [0, all) read every block but block 0, which is all padding (-100 dB, the lowest value there is).
    const allFrames = start === 0 && end === frameCount(audio.clipLength);
    const clipPeak = peak ?? (allFrames ? blocks.peak : await peakOf(audio.samples));
    return { data: await rows(blocks, start, end, clipPeak), peak: clipPeak };
  };

  return {
    async features(samples) {
      ensureOpen();
      checkSamples(samples);
      const total = frameCount(samples.length);
      const { data, peak } = await range(wholeClip(samples), 0, total, null);
      return { frameCount: total, dim: 224, data, melPeak: peak };
    },
    async featuresRange(samples, start, end, rangeOptions = {}) {
      ensureOpen();
      const audio = isSampleStretch(samples) ? samples : wholeClip(samples);
      checkSamples(audio.samples);
      const complete = rangeOptions.audioComplete ?? true;
      checkRange(audio, start, end, complete);
      if (!complete && rangeOptions.melPeak === undefined) {
        throw new AudioFeaturesError('AUDIO_FEATURES_BAD_RANGE', 'melPeak is required while audio is still arriving (audioComplete: false). Passed: undefined');
      }
      const partial = audio.offset !== 0 || audio.samples.length !== audio.clipLength;
      if (partial && rangeOptions.melPeak === undefined) {
        throw new AudioFeaturesError('AUDIO_FEATURES_BAD_RANGE', 'melPeak is required for a stretch of the clip (the peak is the whole clip\'s). Passed: undefined');
      }
      const { data } = await range(audio, start, end, rangeOptions.melPeak ?? null);
      return { startFrame: start, frameCount: end - start, dim: 224, data };
    },
    async melPeak(samples) {
      ensureOpen();
      checkSamples(samples);
      return peakOf(samples);
    },
    melPeakStream() {
      ensureOpen();
      return createMelPeakStream(mel, checkSamples);
    },
    featureStream(streamOptions = {}) {
      ensureOpen();
      return createFeatureStream({ mel, embedding }, checkSamples, streamOptions);
    },
    async silenceFeature() {
      ensureOpen();
      if (silence === null) {
        const { data } = await range(wholeClip(new Float32Array(SILENCE_SAMPLES)), SILENCE_FRAME, SILENCE_FRAME + 1, null);
        silence = data;
      }
      return silence.slice();
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([mel.close(), embedding.close(), embeddingSequence?.close()]);
    },
  };
}
