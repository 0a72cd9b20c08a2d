import { existsSync } from 'node:fs';
import { aacAudioArgs, containerArgs } from './encoder-settings.ts';
import { MediaError } from './errors.ts';
import { runTool } from './run-tool.ts';

/**
 * Encodes the first audio stream of `audioPath` to the final video's AAC track, alone in an MP4 (`.m4a`) file, so
 * that {@link concatChunks} can copy it (`audioIsTrack`) instead of encoding it after the last chunk. The AAC
 * packets are the ones concatChunks would encode from the same file, and the MP4 keeps the encoder's priming.
 * Encoding takes about 1/75 of the audio's length on one core (8 s for 10 minutes), so callers start it early.
 */
export async function encodeAudioTrack(audioPath: string, out: string, options: { signal?: AbortSignal | null } = {}): Promise<{ out: string }> {
  if (!existsSync(audioPath)) throw new MediaError('MEDIA_FILE_MISSING', `Media file not found: ${audioPath}`);
  if (!/\.(m4a|mp4)$/i.test(out)) throw new MediaError('MEDIA_BAD_OPTION', `out must be an .m4a or .mp4 file. Passed: ${out}`);
  const args = ['-nostdin', '-v', 'error', '-y', '-i', audioPath, '-map', '0:a:0', '-vn', '-sn', '-dn', ...aacAudioArgs(), ...containerArgs(out), out];
  await runTool('ffmpeg', args, { code: 'MEDIA_ENCODE_FAILED', message: `Encoding the audio of ${audioPath} into ${out} failed` }, options.signal ?? null);
  return { out };
}
