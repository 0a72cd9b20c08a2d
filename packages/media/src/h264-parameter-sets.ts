import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

/**
 * The H.264 parameter sets a chunk was encoded with, as one digest: the SPS and PPS NAL units of an MPEG-TS file's
 * first video access unit, or the avcC record of an MP4 file's video track. Two chunks with the same digest were
 * encoded with the same size, profile and coding parameters, so their packets can be joined as they are. Read from
 * the file's bytes (no process), which matters when a long clip has hundreds of chunks. null when the file is
 * neither container or holds no H.264 video: the caller asks ffprobe instead.
 */
export async function h264ParameterDigest(path: string): Promise<string | null> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(8);
    const { bytesRead } = await file.read(head, 0, 8, 0);
    if (bytesRead >= 1 && head[0] === TS_SYNC) return digestOf(await tsParameterSets(file));
    if (bytesRead === 8 && head.toString('latin1', 4, 8) === 'ftyp') return digestOf(await mp4AvcConfig(file));
    return null;
  } finally {
    await file.close();
  }
}

function digestOf(parts: Buffer[] | null): string | null {
  if (parts === null || parts.length === 0) return null;
  const hash = createHash('md5');
  for (const part of parts) hash.update(`${part.length}:`).update(part);
  return hash.digest('hex');
}

const TS_SYNC = 0x47;
const TS_PACKET = 188;
/** Most of a chunk read for its tables and first access unit's headers (they come in the first few packets). */
const TS_READ_BYTES = 256 * 1024;
/** Read at a time: 64 packets. */
const TS_READ_BLOCK = 64 * TS_PACKET;
const STREAM_TYPE_H264 = 0x1b;
const NAL_SPS = 7;
const NAL_PPS = 8;

/** Payload of one transport packet, and whether a PES or section starts in it. */
function tsPayload(packet: Buffer): { pid: number; start: boolean; payload: Buffer } | null {
  if (packet[0] !== TS_SYNC) return null;
  const pid = ((packet[1]! & 0x1f) << 8) | packet[2]!;
  const start = (packet[1]! & 0x40) !== 0;
  const control = (packet[3]! >> 4) & 3;
  if (control === 0 || control === 2) return { pid, start, payload: Buffer.alloc(0) };
  const offset = control === 3 ? 5 + packet[4]! : 4;
  return { pid, start, payload: offset < TS_PACKET ? packet.subarray(offset) : Buffer.alloc(0) };
}

/** The section of a PSI table that starts in `payload` (after its pointer field). */
function section(payload: Buffer): Buffer {
  const body = payload.subarray(1 + payload[0]!);
  const length = ((body[1]! & 0x0f) << 8) | body[2]!;
  return body.subarray(0, Math.min(body.length, 3 + length));
}

/** The parameter sets of the first access unit, reading the file a few packets at a time (they come first). */
async function tsParameterSets(file: FileHandle): Promise<Buffer[] | null> {
  const block = Buffer.alloc(TS_READ_BLOCK);
  let pmtPid = -1;
  let videoPid = -1;
  const es: Buffer[] = [];
  for (let offset = 0; offset < TS_READ_BYTES; offset += TS_READ_BLOCK) {
    const { bytesRead } = await file.read(block, 0, TS_READ_BLOCK, offset);
    for (let at = 0; at + TS_PACKET <= bytesRead; at += TS_PACKET) {
      const packet = tsPayload(block.subarray(at, at + TS_PACKET));
      if (packet === null) return null;
      const { pid, start, payload } = packet;
      if (pid === 0 && start && pmtPid < 0) {
        pmtPid = programMapPid(section(payload));
      } else if (pid === pmtPid && start && videoPid < 0) {
        videoPid = h264Pid(section(payload));
        if (videoPid < 0) return null;
      } else if (pid === videoPid && videoPid >= 0 && (start || es.length > 0)) {
        if (start && es.length > 0) return null; // the first access unit ended without a slice
        // Copied: the block is read into again.
        es.push(Buffer.from(start ? payload.subarray(9 + payload[8]!) : payload));
        const found = parameterSetsOf(Buffer.concat(es));
        if (found !== null) return found;
      }
    }
    if (bytesRead < TS_READ_BLOCK) return null;
  }
  return null;
}

/** PID of the first program's map in a PAT section, or -1. */
function programMapPid(pat: Buffer): number {
  for (let p = 8; p + 4 <= pat.length - 4; p += 4) if (pat.readUInt16BE(p) !== 0) return pat.readUInt16BE(p + 2) & 0x1fff;
  return -1;
}

/** PID of the H.264 stream in a PMT section, or -1. */
function h264Pid(pmt: Buffer): number {
  let p = 12 + (pmt.readUInt16BE(10) & 0x0fff);
  while (p + 5 <= pmt.length - 4) {
    if (pmt[p] === STREAM_TYPE_H264) return pmt.readUInt16BE(p + 1) & 0x1fff;
    p += 5 + (pmt.readUInt16BE(p + 3) & 0x0fff);
  }
  return -1;
}

/** The SPS and PPS NAL units of an Annex B stream, in order, once a slice shows that the headers are complete. */
function parameterSetsOf(stream: Buffer): Buffer[] | null {
  const units: Buffer[] = [];
  let start = stream.indexOf(START_CODE);
  while (start >= 0 && start + START_CODE.length < stream.length) {
    const from = start + START_CODE.length;
    const type = stream[from]! & 0x1f;
    if (type === 1 || type === 5) return units.length > 0 ? units : null;
    const next = stream.indexOf(START_CODE, from);
    if (next < 0) return null; // the unit may continue in the next packet
    let end = next;
    while (end > from && stream[end - 1] === 0) end--; // the zero byte of a 4-byte start code
    if (type === NAL_SPS || type === NAL_PPS) units.push(Buffer.from(stream.subarray(from, end)));
    start = next;
  }
  return null;
}

const START_CODE = Buffer.from([0, 0, 1]);

interface Box {
  type: string;
  /** File offset of the box's content (after its header). */
  content: number;
  /** File offset just past the box. */
  end: number;
}

/** Box headers of an ISO BMFF file between two offsets. */
async function* boxes(file: FileHandle, from: number, to: number): AsyncGenerator<Box> {
  const header = Buffer.alloc(16);
  let at = from;
  while (at + 8 <= to) {
    const { bytesRead } = await file.read(header, 0, 16, at);
    if (bytesRead < 8) return;
    let size = header.readUInt32BE(0);
    let content = at + 8;
    if (size === 1) {
      if (bytesRead < 16) return;
      size = Number(header.readBigUInt64BE(8));
      content = at + 16;
    } else if (size === 0) {
      size = to - at;
    }
    if (size < content - at) return;
    yield { type: header.toString('latin1', 4, 8), content, end: Math.min(to, at + size) };
    at += size;
  }
}

/** The first box of `type` inside `parent`, whose own fields take `skip` bytes before its boxes. */
async function child(file: FileHandle, parent: Pick<Box, 'content' | 'end'>, type: string, skip = 0): Promise<Box | null> {
  for await (const box of boxes(file, parent.content + skip, parent.end)) if (box.type === type) return box;
  return null;
}

/** The avcC record of the first video track (moov/trak/mdia/minf/stbl/stsd/avc1|avc3/avcC). */
async function mp4AvcConfig(file: FileHandle): Promise<Buffer[] | null> {
  const { size } = await file.stat();
  const moov = await child(file, { content: 0, end: size }, 'moov');
  if (moov === null) return null;
  for await (const trak of boxes(file, moov.content, moov.end)) {
    if (trak.type !== 'trak') continue;
    let stsd: Box | null = trak;
    for (const type of ['mdia', 'minf', 'stbl', 'stsd']) stsd = stsd === null ? null : await child(file, stsd, type);
    if (stsd === null) continue;
    // stsd: version and flags, entry count, then sample entries; avc1's own fields take 78 bytes before its boxes.
    for await (const entry of boxes(file, stsd.content + 8, stsd.end)) {
      if (entry.type !== 'avc1' && entry.type !== 'avc3') continue;
      const avcC = await child(file, entry, 'avcC', 78);
      if (avcC === null) return null;
      const record = Buffer.alloc(avcC.end - avcC.content);
      await file.read(record, 0, record.length, avcC.content);
      return [Buffer.from(entry.type), record];
    }
  }
  return null;
}
