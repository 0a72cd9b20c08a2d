import type { AvcDecoderConfig } from './avc-decoder-config.ts';
import { box, fourcc, fullBox, i16, u16, u32, u8, unityMatrix, zeros } from './mp4-box-writer.ts';
import type { OpusHead } from './opus-packet.ts';
import { OPUS_CLOCK_RATE } from './opus-packet.ts';

/** The video track's clock: MPEG's 90 kHz, which holds whole frame durations at 24, 25, 30, 50 and 60 fps. */
export const VIDEO_TIMESCALE = 90_000;
export const VIDEO_TRACK_ID = 1;
export const AUDIO_TRACK_ID = 2;

/** What the init segment describes: the video track always, the Opus track when `audio` is given. */
export interface InitSegmentTracks {
  video: { width: number; height: number; decoderConfig: AvcDecoderConfig };
  audio: { head: OpusHead } | null;
}

/** ISO 639-2 'und' packed into 15 bits. */
const LANGUAGE_UNDETERMINED = ((('u'.charCodeAt(0) - 0x60) << 10) | (('n'.charCodeAt(0) - 0x60) << 5) | ('d'.charCodeAt(0) - 0x60));

/** ftyp + moov of a fragmented MP4: empty sample tables, the samples come in the fragments (mvex/trex). */
export function initSegment(tracks: InitSegmentTracks): Buffer {
  const ftyp = box('ftyp', fourcc('isom'), u32(0x200), ['isom', 'iso6', 'iso2', 'avc1', 'mp41'].map(fourcc));
  const trackIds = tracks.audio === null ? [VIDEO_TRACK_ID] : [VIDEO_TRACK_ID, AUDIO_TRACK_ID];
  const moov = box(
    'moov',
    movieHeader(trackIds.length + 1),
    videoTrack(tracks.video),
    tracks.audio === null ? [] : audioTrack(tracks.audio.head),
    box('mvex', trackIds.map((id) => fullBox('trex', 0, 0, u32(id), u32(1), u32(0), u32(0), u32(0)))),
  );
  return Buffer.concat([ftyp, moov]);
}

function movieHeader(nextTrackId: number): Buffer {
  // creation, modification, timescale 1000, duration unknown (0), rate 1.0, volume 1.0, reserved, matrix, pre_defined.
  return fullBox('mvhd', 0, 0, u32(0), u32(0), u32(1000), u32(0), u32(0x00010000), u16(0x0100), zeros(10), unityMatrix(), zeros(24), u32(nextTrackId));
}

function trackHeader(trackId: number, volume: number, width: number, height: number): Buffer {
  const enabledInMovie = 0x000003;
  return fullBox(
    'tkhd', 0, enabledInMovie,
    u32(0), u32(0), u32(trackId), u32(0), u32(0), zeros(8),
    u16(0), u16(0), u16(volume), u16(0), unityMatrix(), u32(width * 0x10000), u32(height * 0x10000),
  );
}

function media(timescale: number, handler: 'vide' | 'soun', handlerName: string, mediaHeader: Buffer, sampleEntry: Buffer): Buffer {
  const emptyTables = [
    fullBox('stsd', 0, 0, u32(1), sampleEntry),
    fullBox('stts', 0, 0, u32(0)),
    fullBox('stsc', 0, 0, u32(0)),
    fullBox('stsz', 0, 0, u32(0), u32(0)),
    fullBox('stco', 0, 0, u32(0)),
  ];
  const selfContained = 0x000001;
  return box(
    'mdia',
    fullBox('mdhd', 0, 0, u32(0), u32(0), u32(timescale), u32(0), u16(LANGUAGE_UNDETERMINED), u16(0)),
    fullBox('hdlr', 0, 0, u32(0), fourcc(handler), zeros(12), Buffer.from(`${handlerName}\0`, 'latin1')),
    box('minf', mediaHeader, box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, selfContained))), box('stbl', emptyTables)),
  );
}

function videoTrack(video: InitSegmentTracks['video']): Buffer {
  const compressorName = zeros(32);
  const avc1 = box(
    'avc1',
    zeros(6), u16(1), // reserved, data_reference_index
    zeros(16), u16(video.width), u16(video.height),
    u32(0x00480000), u32(0x00480000), u32(0), u16(1), compressorName, u16(0x0018), i16(-1), // 72 dpi, one frame per sample, 24-bit colour
    box('avcC', video.decoderConfig.record),
  );
  const videoMediaHeader = fullBox('vmhd', 0, 1, u16(0), zeros(6));
  return box('trak', trackHeader(VIDEO_TRACK_ID, 0, video.width, video.height), media(VIDEO_TIMESCALE, 'vide', 'VideoHandler', videoMediaHeader, avc1));
}

function audioTrack(head: OpusHead): Buffer {
  // dOps (the Opus in ISO BMFF mapping, 4.3.2): OpusHead's fields, big-endian, without the magic. InputSampleRate is
  // only informative (Opus decodes at 48 kHz), and Chromium refuses a track where it differs from the sample entry's.
  const dOps = box('dOps', u8(0), u8(head.channels), u16(head.preSkip), u32(OPUS_CLOCK_RATE), i16(head.outputGain), u8(0));
  const opus = box(
    'Opus',
    zeros(6), u16(1), // reserved, data_reference_index
    zeros(8), u16(head.channels), u16(16), u16(0), u16(0), u32(OPUS_CLOCK_RATE * 0x10000),
    dOps,
  );
  const soundMediaHeader = fullBox('smhd', 0, 0, u16(0), u16(0));
  return box('trak', trackHeader(AUDIO_TRACK_ID, 0x0100, 0, 0), media(OPUS_CLOCK_RATE, 'soun', 'SoundHandler', soundMediaHeader, opus));
}
