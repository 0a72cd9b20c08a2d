/**
 * Frames and sound a test can recognise after an encode: each frame has a bright bar that moves one step a frame and
 * its index written as 10 black/white blocks along the top; the sound is a click track (a short 1 kHz burst at every
 * whole second) over silence.
 */

export const INDEX_BITS = 10;

/** One yuv420p frame: grey background, a white vertical bar at x = (index * 8) mod width, the index in blocks. */
export function syntheticYuvFrame(width: number, height: number, index: number): Uint8Array {
  const frame = new Uint8Array((width * height * 3) / 2);
  const luma = frame.subarray(0, width * height);
  luma.fill(96);
  const barX = (index * 8) % width;
  for (let y = 0; y < height; y++) for (let x = barX; x < Math.min(width, barX + 16); x++) luma[y * width + x] = 235;
  const block = Math.floor(width / INDEX_BITS);
  for (let bit = 0; bit < INDEX_BITS; bit++) {
    const value = (index >> (INDEX_BITS - 1 - bit)) & 1 ? 235 : 16;
    for (let y = 0; y < block; y++) for (let x = bit * block; x < (bit + 1) * block; x++) luma[y * width + x] = value;
  }
  frame.fill(128, width * height);
  return frame;
}

/** Reads back the index written by {@link syntheticYuvFrame} from a decoded luma plane (or RGB's green channel). */
export function readFrameIndex(pixel: (x: number, y: number) => number, width: number): number {
  const block = Math.floor(width / INDEX_BITS);
  let index = 0;
  for (let bit = 0; bit < INDEX_BITS; bit++) index = (index << 1) | (pixel(bit * block + block / 2, block / 2) > 128 ? 1 : 0);
  return index;
}

/** `seconds` of mono PCM16 at `sampleRate`: silence with a 20 ms 1 kHz click starting at every whole second. */
export function clickTrack(sampleRate: number, seconds: number): Int16Array {
  const samples = new Int16Array(Math.round(sampleRate * seconds));
  const clickSamples = Math.round(sampleRate * 0.02);
  for (let second = 0; second < seconds; second++) {
    const start = second * sampleRate;
    for (let i = 0; i < clickSamples && start + i < samples.length; i++) {
      samples[start + i] = Math.round(16_000 * Math.sin((2 * Math.PI * 1000 * i) / sampleRate));
    }
  }
  return samples;
}
