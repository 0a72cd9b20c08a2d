import { MediaError } from './errors.ts';

/** Bytes of an ADTS header without CRC; with CRC it has 2 more. */
const HEADER_BYTES = 7;

/**
 * Splits an ADTS stream (AAC as ffmpeg's `adts` muxer writes it: one header per frame) into its frames, headers
 * kept, so that frames can be dropped or counted without decoding. Throws MEDIA_ENCODE_FAILED when the bytes are
 * not a whole ADTS stream.
 */
export function splitAdtsFrames(bytes: Uint8Array, source: string): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + HEADER_BYTES > bytes.length || bytes[at] !== 0xff || (bytes[at + 1]! & 0xf6) !== 0xf0) {
      throw new MediaError('MEDIA_ENCODE_FAILED', `${source} is not an ADTS stream: no frame header at byte ${at} of ${bytes.length}`);
    }
    const length = ((bytes[at + 3]! & 0x03) << 11) | (bytes[at + 4]! << 3) | (bytes[at + 5]! >> 5);
    if (length < HEADER_BYTES || at + length > bytes.length) {
      throw new MediaError('MEDIA_ENCODE_FAILED', `${source} ends inside an ADTS frame (frame at byte ${at} says ${length} bytes, ${bytes.length - at} left)`);
    }
    frames.push(bytes.subarray(at, at + length));
    at += length;
  }
  return frames;
}
