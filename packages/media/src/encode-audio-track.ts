import { existsSync } from 'node:fs';
import { aacAudioArgs, containerArgs } from './encoder-settings.ts';
import { MediaError } from './errors.ts';
import { runTool } from './run-tool.ts';

const BACKGROUND_NICENESS = 10;

/** Options of {@link encodeAudioTrack}. */
export interface EncodeAudioTrackOptions {
  /** Stops ffmpeg (MEDIA_ABORTED) when aborted. @defaultValue null */
  signal?: AbortSignal | null;
  /**
   * Run ffmpeg at a low CPU priority (nice 10): the track is needed only once the last chunk is made, so it should
   * use what rendering leaves idle rather than slow it.
   * @defaultValue false
   */
  background?: boolean;
}

/**
 * Encodes the first audio stream of `audioPath` to the final video's AAC track, alone in an MP4 (`.m4a`) file, so
 * that {@link concatChunks} can copy it (`audioIsTrack`) instead of encoding it after the last chunk. The AAC
 * packets are the ones concatChunks would encode from the same file, and the MP4 keeps the encoder's priming.
 * Encoding takes about 1/75 of the audio's length on one core (8 s for 10 minutes), so callers start it early.
 */
export async function encodeAudioTrack(audioPath: string, out: string, options: EncodeAudioTrackOptions = {}): Promise<{ out: string }> {
  if (!existsSync(audioPath)) throw new MediaError('MEDIA_FILE_MISSING', `Media file not found: ${audioPath}`);
  if (!/\.(m4a|mp4)$/i.test(out)) throw new MediaError('MEDIA_BAD_OPTION', `out must be an .m4a or .mp4 file. Passed: ${out}`);
  const args = ['-nostdin', '-v', 'error', '-y', '-i', audioPath, '-map', '0:a:0', '-vn', '-sn', '-dn', ...aacAudioArgs(), ...containerArgs(out), out];
  const failure = { code: 'MEDIA_ENCODE_FAILED' as const, message: `Encoding the audio of ${audioPath} into ${out} failed` };
  await runTool('ffmpeg', args, failure, options.signal ?? null, options.background === true ? BACKGROUND_NICENESS : null);
  return { out };
}
