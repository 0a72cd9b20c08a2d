import { stat, writeFile } from 'node:fs/promises';
import { checkProbe, resolveOptions, type DecodeAudioOptions, type DecodedAudio } from './decode-audio.ts';
import { MediaError } from './errors.ts';
import { followFile } from './follow-file.ts';
import { describeExit, spawnTool } from './run-tool.ts';
import { settleProbedDecode } from './settle-probed-decode.ts';

/** Options of {@link decodeAudioToFile}. */
export interface DecodeAudioToFileOptions extends Pick<DecodeAudioOptions, 'sampleRate' | 'minSeconds' | 'maxSeconds' | 'signal' | 'probe'> {
  /**
   * Called with each stretch of samples as it is decoded, in order (a view, valid until the call's promise
   * settles; the decode reads on only then), so that work on the audio can go on beside the decode.
   * @defaultValue none
   */
  onSamples?: ((next: Float32Array) => void | Promise<void>) | null;
}

/** Audio decoded into a file of little-endian float32 mono samples. */
export interface DecodedAudioFile {
  /** The file (the caller's `out`), `sampleCount * 4` bytes. */
  path: string;
  sampleCount: number;
  sampleRate: number;
  durationSeconds: number;
  source: DecodedAudio['source'];
}

/**
 * Decodes the first audio stream of any file ffmpeg reads to mono float32 at `sampleRate` into the file `out`,
 * which the caller keeps (and removes): a long clip's samples stay on disk, read back by range, instead of in
 * memory. The samples are the bytes {@link decodeAudio} returns for the same file, as ffmpeg wrote them.
 */
export async function decodeAudioToFile(path: string, out: string, options: DecodeAudioToFileOptions = {}): Promise<DecodedAudioFile> {
  const opts = resolveOptions(options);
  const onSamples = options.onSamples ?? null;
  await writeFile(out, '');
  const args = ['-nostdin', '-v', 'error', '-i', path, '-map', '0:a:0', '-vn', '-sn', '-dn'];
  args.push('-ac', '1', '-ar', String(opts.sampleRate), '-f', 'f32le', '-acodec', 'pcm_f32le', '-flush_packets', '0', '-y', out);
  const proc = spawnTool('ffmpeg', args, { signal: opts.signal });
  const exited = proc.exited;
  exited.catch(() => {}); // awaited below, unless the probe refuses the file first
  const samples = new SampleStretches();
  const reading = onSamples === null ? Promise.resolve() : followFile(out, exited, async (bytes) => {
    const next = samples.push(bytes);
    if (next.length > 0) await onSamples(next);
    return true;
  });
  reading.catch(() => {}); // awaited below

  const { probed: source, code, signal: exitSignal } = await settleProbedDecode(proc, checkProbe(path, opts, null, Number.POSITIVE_INFINITY), reading);
  if (code !== 0) {
    throw new MediaError('MEDIA_DECODE_FAILED', `Decoding audio of ${path} failed: ${describeExit('ffmpeg', code, exitSignal, proc.stderrTail())}`);
  }
  const sampleCount = Math.floor((await stat(out)).size / 4);
  const durationSeconds = sampleCount / opts.sampleRate;
  if (durationSeconds < opts.minSeconds) {
    throw new MediaError('MEDIA_AUDIO_TOO_SHORT', `${path}: audio must be at least ${opts.minSeconds} s long. Passed: ${durationSeconds.toFixed(3)} s`);
  }
  return { path: out, sampleCount, sampleRate: opts.sampleRate, durationSeconds, source };
}

/** Whole float32 samples out of byte chunks of any length, in one reused array. */
class SampleStretches {
  private floats = new Float32Array(0);
  private bytes = new Uint8Array(0);
  /** The bytes of a sample split across chunks (0 to 3). */
  private readonly tail = new Uint8Array(4);
  private tailLength = 0;

  /** The whole samples that `chunk` completes (a view, valid until the next push). */
  push(chunk: Uint8Array): Float32Array {
    const total = this.tailLength + chunk.length;
    if (total > this.bytes.length) {
      this.floats = new Float32Array(Math.ceil(total / 4));
      this.bytes = new Uint8Array(this.floats.buffer);
    }
    this.bytes.set(this.tail.subarray(0, this.tailLength), 0);
    this.bytes.set(chunk, this.tailLength);
    const whole = Math.floor(total / 4);
    this.tailLength = total - whole * 4;
    this.tail.set(this.bytes.subarray(whole * 4, total));
    return this.floats.subarray(0, whole);
  }
}
