import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { avcCodecString, parseAvcDecoderConfig } from './avc-decoder-config.ts';
import { isLiveMediaError } from './errors.ts';
import { FlvTagReader, type FlvTag } from './flv-tag-reader.ts';
import { OggPageReader, type OggPacket } from './ogg-page-reader.ts';
import { opusPacketSamples } from './opus-packet.ts';

/** The bytes split into pieces of `size` (the last shorter), as a pipe may deliver them. */
function pieces(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

/** One Ogg page (CRC left 0: the reader does not check it). */
function oggPage(granule: bigint, lacing: number[], body: Buffer): Buffer {
  const header = Buffer.alloc(27);
  header.write('OggS', 0, 'latin1');
  header.writeBigInt64LE(granule, 6);
  header[26] = lacing.length;
  return Buffer.concat([header, Buffer.from(lacing), body]);
}

describe('FlvTagReader', () => {
  it('reads the same tags from ffmpeg\'s FLV whatever the pieces it arrives in', () => {
    const flv = execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=64x64:r=25:d=0.4', '-c:v', 'libx264', '-bf', '0', '-f', 'flv', 'pipe:1']);
    const whole = new FlvTagReader().push(flv);
    // Video tags: the sequence header (AVC packet type 0), 10 frames (1), the end of sequence (2).
    const video = whole.filter((t) => t.type === 9);
    expect(video.map((t) => t.data[1])).toEqual([0, ...Array<number>(10).fill(1), 2]);
    expect(video.filter((t) => t.data[1] === 1).map((t) => t.timestampMs)).toEqual([0, 40, 80, 120, 160, 200, 240, 280, 320, 360]);
    for (const size of [1, 7, 188, 4096]) {
      const reader = new FlvTagReader();
      const tags: FlvTag[] = pieces(flv, size).flatMap((piece) => reader.push(piece));
      expect(tags).toEqual(whole);
    }
  });

  it('refuses a stream that is not FLV', () => {
    expect(() => new FlvTagReader().push(Buffer.from('OggS\0\0\0\0\0\0\0\0\0'))).toThrow("FLV stream must start with 'FLV'");
  });
});

describe('OggPageReader', () => {
  it('rebuilds packets laced over 255-byte segments and continued on the next page, with their page granule', () => {
    const long = Buffer.alloc(600, 1); // 255 + 255 + 90
    const short = Buffer.alloc(30, 2);
    // Page 1: the short packet, then the first 510 bytes of the long one; page 2: its last 90 bytes.
    const stream = Buffer.concat([
      oggPage(960n, [30, 255, 255], Buffer.concat([short, long.subarray(0, 510)])),
      oggPage(1920n, [90], long.subarray(510)),
    ]);
    for (const size of [1, 13, stream.length]) {
      const reader = new OggPageReader();
      const packets: OggPacket[] = pieces(stream, size).flatMap((piece) => reader.push(piece));
      expect(packets.map((p) => [p.data.length, p.pageGranule, p.packetsAfterOnPage])).toEqual([[30, 960n, 0], [600, 1920n, 0]]);
      expect(packets[1]!.data.equals(long)).toBe(true);
    }
  });

  it('counts the packets after each one on its page, and refuses bytes that are not a page', () => {
    const packets = new OggPageReader().push(oggPage(2880n, [10, 20, 30], Buffer.alloc(60)));
    expect(packets.map((p) => [p.data.length, p.packetsAfterOnPage])).toEqual([[10, 2], [20, 1], [30, 0]]);
    expect(() => new OggPageReader().push(Buffer.alloc(40))).toThrow("An Ogg page must start with 'OggS'");
  });
});

describe('opusPacketSamples', () => {
  it('reads the duration from the TOC byte: configuration, then one, two or a counted number of frames', () => {
    expect(opusPacketSamples(Uint8Array.of((31 << 3) | 0))).toBe(960); // CELT fullband 20 ms
    expect(opusPacketSamples(Uint8Array.of((16 << 3) | 1))).toBe(240); // CELT narrowband 2.5 ms, two frames
    expect(opusPacketSamples(Uint8Array.of((3 << 3) | 0))).toBe(2880); // SILK narrowband 60 ms
    expect(opusPacketSamples(Uint8Array.of((13 << 3) | 3, 3))).toBe(2880); // hybrid 20 ms, three frames
    expect(() => opusPacketSamples(new Uint8Array(0))).toThrow('An Opus packet cannot be empty');
  });
});

describe('parseAvcDecoderConfig', () => {
  const sps = Buffer.from('6742c01eda0200', 'hex');
  const pps = Buffer.from('68ce0fc8', 'hex');
  const record = Buffer.concat([Buffer.from([1, 0x42, 0xc0, 0x1e, 0xff, 0xe1, 0, sps.length]), sps, Buffer.from([1, 0, pps.length]), pps]);

  it('reads profile, constraints, level, NAL length size and the parameter sets', () => {
    const config = parseAvcDecoderConfig(record);
    expect([config.profile, config.compatibility, config.level, config.nalLengthBytes]).toEqual([66, 0xc0, 30, 4]);
    expect(config.sequenceParameterSets).toEqual([sps]);
    expect(config.pictureParameterSets).toEqual([pps]);
    expect(avcCodecString(config)).toBe('avc1.42C01E');
  });

  it('refuses a record cut short', () => {
    let caught: unknown = null;
    try {
      parseAvcDecoderConfig(record.subarray(0, 10));
    } catch (error) {
      caught = error;
    }
    expect(isLiveMediaError(caught, 'LIVE_MEDIA_BAD_STREAM')).toBe(true);
    expect(String(caught)).toContain('avcC record ends inside its parameter sets');
  });
});
