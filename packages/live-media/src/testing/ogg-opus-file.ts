import type { AudioPacket } from '../live-audio-encoder.ts';
import type { OpusHead } from '../opus-packet.ts';

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, byte) => {
  let crc = byte << 24;
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  return crc >>> 0;
});

function oggCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  return crc;
}

/** One Ogg page holding one whole packet (under 255 * 255 bytes) (RFC 3533). */
function oggPage(packet: Buffer, granule: number, sequence: number, flags: number): Buffer {
  const lacing = [...Array<number>(Math.floor(packet.length / 255)).fill(255), packet.length % 255];
  const header = Buffer.alloc(27 + lacing.length);
  header.write('OggS', 0, 'latin1');
  header[5] = flags;
  header.writeBigInt64LE(BigInt(granule), 6);
  header.writeUInt32LE(1, 14);
  header.writeUInt32LE(sequence, 18);
  header[26] = lacing.length;
  Buffer.from(lacing).copy(header, 27);
  const page = Buffer.concat([header, packet]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

/** An Ogg Opus file (RFC 7845) of the encoder's header and packets, one packet a page, for ffmpeg to decode. */
export function oggOpusFile(head: OpusHead, packets: readonly AudioPacket[]): Buffer {
  const opusHead = Buffer.alloc(19);
  opusHead.write('OpusHead', 0, 'latin1');
  opusHead[8] = 1;
  opusHead[9] = head.channels;
  opusHead.writeUInt16LE(head.preSkip, 10);
  opusHead.writeUInt32LE(head.inputSampleRate, 12);
  opusHead.writeInt16LE(head.outputGain, 16);
  const opusTags = Buffer.concat([Buffer.from('OpusTags', 'latin1'), Buffer.from([4, 0, 0, 0]), Buffer.from('test'), Buffer.alloc(4)]);
  const pages = [oggPage(opusHead, 0, 0, 0x02), oggPage(opusTags, 0, 1, 0)];
  packets.forEach((packet, i) => pages.push(oggPage(packet.data, packet.startSample + packet.sampleCount, i + 2, i === packets.length - 1 ? 0x04 : 0)));
  return Buffer.concat(pages);
}
