import { LiveMediaError } from './errors.ts';

/** An H.264 stream's AVCDecoderConfigurationRecord (ISO/IEC 14496-15 `avcC`) and what it says. */
export interface AvcDecoderConfig {
  /** The whole record, as it goes into an MP4 `avcC` box. */
  record: Buffer;
  /** profile_idc: 66 baseline, 77 main, 100 high. */
  profile: number;
  /** The constraint flags byte (0xC0 for constrained baseline). */
  compatibility: number;
  /** level_idc, ten times the level (30 for 3.0). */
  level: number;
  /** Bytes of each NAL unit's length prefix in the samples (4 from ffmpeg). */
  nalLengthBytes: number;
  sequenceParameterSets: Buffer[];
  pictureParameterSets: Buffer[];
}

/** Reads an AVCDecoderConfigurationRecord. */
export function parseAvcDecoderConfig(record: Buffer): AvcDecoderConfig {
  const fail = (what: string): never => {
    throw new LiveMediaError('LIVE_MEDIA_BAD_STREAM', `avcC record ${what} (${record.length} bytes: ${record.subarray(0, 16).toString('hex')})`);
  };
  if (record.length < 7 || record[0] !== 1) fail('must start with configurationVersion 1');
  let at = 6;
  const parameterSets = (count: number): Buffer[] => {
    const sets: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      if (at + 2 > record.length) fail('ends inside its parameter sets');
      const size = record.readUInt16BE(at);
      if (at + 2 + size > record.length) fail('ends inside its parameter sets');
      sets.push(Buffer.from(record.subarray(at + 2, at + 2 + size)));
      at += 2 + size;
    }
    return sets;
  };
  const sequenceParameterSets = parameterSets(record[5]! & 0x1f);
  if (at >= record.length) fail('has no picture parameter set count');
  const pictureParameterSets = parameterSets(record[at++]!);
  return {
    record: Buffer.from(record),
    profile: record[1]!,
    compatibility: record[2]!,
    level: record[3]!,
    nalLengthBytes: (record[4]! & 0x03) + 1,
    sequenceParameterSets,
    pictureParameterSets,
  };
}

/** The RFC 6381 codecs entry of the stream, `avc1.PPCCLL` (e.g. `avc1.42C01E` for constrained baseline 3.0). */
export function avcCodecString(config: Pick<AvcDecoderConfig, 'profile' | 'compatibility' | 'level'>): string {
  const hex = (value: number): string => value.toString(16).toUpperCase().padStart(2, '0');
  return `avc1.${hex(config.profile)}${hex(config.compatibility)}${hex(config.level)}`;
}
