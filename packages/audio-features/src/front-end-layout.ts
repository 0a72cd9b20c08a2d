/**
 * Index arithmetic of the audio front-end `oww-mel-emb-v1` (models/SPEC.md, "Audio front-end").
 * Mel frames are numbered in the padded signal: padded frame `j` covers padded samples [160 j, 160 j + 512),
 * and padded sample `p` is original sample `p - PAD_BEFORE`.
 */
export const SAMPLE_RATE = 16000;
export const HOP = 160;
export const MEL_WINDOW = 512;
export const SAMPLES_PER_FRAME = 640;
export const MEL_PER_FRAME = 4;
export const PAD_BEFORE = 76 * HOP + 256;
export const PAD_AFTER = 24 * HOP + 512;
export const MEL_OFFSET = 76;
export const EMB_WINDOW = 76;
export const LOOKAHEAD_MEL = 16;
export const EMB_DIM = 96;
export const MEL_BINS = 32;
export const LOCAL_MEL = 8;
export const FEATURE_DIM = EMB_DIM + (LOCAL_MEL / 2) * MEL_BINS;
/** dB below the loudest mel cell at which melspectrogram.onnx floors its output. */
export const MEL_TOP_DB = 80;

/**
 * Samples [first, end) of a 512-sample mel frame that melspectrogram.onnx reads: its STFT weights are a 400-sample
 * periodic Hann window centred in the 512 (zero elsewhere).
 */
export const MEL_WINDOW_SUPPORT = { first: 57, end: 456 } as const;

/**
 * An upper bound on (mel cell) / (energy of the frame's samples in MEL_WINDOW_SUPPORT) for melspectrogram.onnx:
 * each mel band is a quadratic form of the frame, and the largest eigenvalue over the 32 bands is 1.866105 (computed
 * from the model's weights in float64; models/training/tests/test_mel_gain_bound.py checks it). Rounded up.
 */
export const MEL_GAIN_BOUND = 1.8662;

/**
 * Mel frames are computed in blocks of this many padded frames on a fixed grid (block k = frames [16k, 16k+16)),
 * every block from the same number of samples, so a frame's value never depends on which request computed it.
 */
export const MEL_BLOCK = 16;
export const MEL_BLOCK_SAMPLES = HOP * (MEL_BLOCK - 1) + MEL_WINDOW;

/** Motion frames (25 fps) for `sampleCount` samples at 16 kHz: ceil(n / 640). */
export function frameCount(sampleCount: number): number {
  return Math.ceil(sampleCount / SAMPLES_PER_FRAME);
}

/** First padded mel frame that motion frame `t` reads (the first frame of its embedding window). */
export function firstMelFrame(t: number): number {
  return MEL_PER_FRAME * t + 2 + MEL_OFFSET + LOOKAHEAD_MEL - (EMB_WINDOW - 1);
}

/** Last padded mel frame that motion frame `t` reads (the end of its embedding window, 160 ms past its centre). */
export function lastMelFrame(t: number): number {
  return MEL_PER_FRAME * t + 2 + MEL_OFFSET + LOOKAHEAD_MEL;
}

/** Padded index of the mel frame centred on motion frame `t`. */
export function centreMelFrame(t: number): number {
  return MEL_PER_FRAME * t + 2 + MEL_OFFSET;
}

/** Mel blocks [first, end) that hold every mel frame motion frames [start, end) read. */
export function melBlocksFor(start: number, end: number): { first: number; end: number } {
  return { first: Math.floor(firstMelFrame(start) / MEL_BLOCK), end: Math.floor(lastMelFrame(end - 1) / MEL_BLOCK) + 1 };
}

/** End of the mel blocks a whole clip of `sampleCount` samples reads (at least one frame's): where its peak is sought. */
export function clipMelBlockEnd(sampleCount: number): number {
  return melBlocksFor(0, Math.max(1, frameCount(sampleCount))).end;
}

/**
 * Samples from the start of the audio needed to compute motion frames [0, end) exactly while audio is still
 * arriving: the end of the last mel block they touch (at most 196 ms + 150 ms past frame end-1's centre).
 */
export function samplesNeeded(end: number): number {
  if (end <= 0) return 0;
  const lastBlock = melBlocksFor(end - 1, end).end - 1;
  return lastBlock * MEL_BLOCK * HOP + MEL_BLOCK_SAMPLES - PAD_BEFORE;
}

/**
 * Samples [start, end) of the clip that motion frames [start, end) read (the mel blocks they touch); they may reach
 * before 0 and past the clip's end, where the clip is silent.
 */
export function samplesForFrames(start: number, end: number): { start: number; end: number } {
  const blocks = melBlocksFor(start, end);
  return { start: blocks.first * MEL_BLOCK * HOP - PAD_BEFORE, end: (blocks.end - 1) * MEL_BLOCK * HOP - PAD_BEFORE + MEL_BLOCK_SAMPLES };
}
