import { endianness } from 'node:os';
import { Readable } from 'node:stream';
import type { ClipAudio, PreparedClip, SegmentRelay } from '@portrait-farm/engine';
import { JobStepError } from './errors.ts';

/**
 * Binary form of the farm's work files: `PFW1`, a uint32 LE header length, a JSON header, then the raw
 * little-endian bytes of every typed array, each aligned to 8 bytes. The header holds the value with each typed
 * array replaced by `{"$a": n}` (its entry in `arrays`), so numbers, strings and nesting survive exactly and the
 * big arrays (audio samples, source picture, landmarks, motion) are stored as they are in memory.
 */
export const WORK_FORMAT_VERSION = 3;
/** What changed at each version, named when a file of an older one is refused. */
const VERSION_CHANGES: Record<number, string> = {
  2: 'prepared clips hold the audio samples and mel peak instead of the whole clip\'s features',
  3: 'the audio samples are an object of their own (work/samples.f32), read by range',
};

const MAGIC = Buffer.from('PFW1', 'ascii');

type ArrayKind = 'f32' | 'f64' | 'u8' | 'i32' | 'u32' | 'i16' | 'u16';
export type Typed = Float32Array | Float64Array | Uint8Array | Int32Array | Uint32Array | Int16Array | Uint16Array;

const CONSTRUCTORS: Record<ArrayKind, { new (buffer: ArrayBuffer): Typed; BYTES_PER_ELEMENT: number }> = {
  f32: Float32Array,
  f64: Float64Array,
  u8: Uint8Array,
  i32: Int32Array,
  u32: Uint32Array,
  i16: Int16Array,
  u16: Uint16Array,
};

export interface WorkArrayEntry {
  kind: ArrayKind;
  offset: number;
  length: number;
}

export interface WorkHeader {
  version: number;
  kind: string;
  value: unknown;
  arrays: WorkArrayEntry[];
}

function kindOf(value: unknown): ArrayKind | null {
  if (value instanceof Float32Array) return 'f32';
  if (value instanceof Float64Array) return 'f64';
  if (value instanceof Uint8Array) return 'u8';
  if (value instanceof Int32Array) return 'i32';
  if (value instanceof Uint32Array) return 'u32';
  if (value instanceof Int16Array) return 'i16';
  if (value instanceof Uint16Array) return 'u16';
  return null;
}

function checkHost(): void {
  if (endianness() !== 'LE') throw new JobStepError('FARM_BAD_WORK_FILE', 'Work files are little-endian; this host is big-endian.');
}

/** Encodes a plain-data value (objects, arrays, numbers, strings, booleans, null, typed arrays). */
export function encodeWork(kind: string, value: unknown): Buffer {
  return Buffer.concat(encodeWorkParts(kind, value));
}

/**
 * The bytes of {@link encodeWork} in order, without joining them: the header, then each typed array's own memory
 * (a view, not a copy) and its zero padding. Stored as a stream, a long clip is not copied once more to be written.
 * The arrays must not change until the parts are written.
 */
export function encodeWorkParts(kind: string, value: unknown): Uint8Array[] {
  checkHost();
  const arrays: WorkArrayEntry[] = [];
  const typedArrays: Typed[] = [];
  let offset = 0;
  const walk = (node: unknown): unknown => {
    const arrayKind = kindOf(node);
    if (arrayKind !== null) {
      const typed = node as Typed;
      arrays.push({ kind: arrayKind, offset, length: typed.length });
      typedArrays.push(typed);
      offset += Math.ceil(typed.byteLength / 8) * 8;
      return { $a: arrays.length - 1 };
    }
    if (typeof node === 'number' && !Number.isFinite(node)) return { $n: String(node) };
    if (Array.isArray(node)) return node.map(walk);
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).filter(([, v]) => v !== undefined).map(([k, v]) => [k, walk(v)]));
    }
    return node;
  };
  const header: WorkHeader = { version: WORK_FORMAT_VERSION, kind, value: walk(value), arrays };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const head = Buffer.alloc(workDataStart(json.length));
  MAGIC.copy(head, 0);
  head.writeUInt32LE(json.length, 4);
  json.copy(head, 8);
  const parts: Uint8Array[] = [head];
  for (const typed of typedArrays) {
    parts.push(new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength));
    const padding = Math.ceil(typed.byteLength / 8) * 8 - typed.byteLength;
    if (padding > 0) parts.push(new Uint8Array(padding));
  }
  return parts;
}

function bad(message: string): JobStepError {
  return new JobStepError('FARM_BAD_WORK_FILE', message);
}

/** Decodes what {@link encodeWork} wrote; typed arrays are fresh copies (aligned, independent of `bytes`). */
export function decodeWork(expectedKind: string, bytes: Uint8Array): unknown {
  checkHost();
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < 8 || !buffer.subarray(0, 4).equals(MAGIC)) throw notAWorkFile(buffer);
  const jsonLength = readWorkPrefix(buffer.subarray(0, 8));
  if (8 + jsonLength > buffer.length) throw bad(`Work file header of ${jsonLength} bytes runs past its end (${buffer.length} bytes).`);
  const header = parseWorkHeader(expectedKind, buffer.subarray(8, 8 + jsonLength));
  const dataStart = workDataStart(jsonLength);
  const arrays = header.arrays.map((entry) => {
    const { ctor, byteLength } = arrayLayout(entry);
    const start = dataStart + entry.offset;
    if (start + byteLength > buffer.length) throw arrayPastEnd(byteLength, start, buffer.length);
    const copy = new ArrayBuffer(byteLength);
    new Uint8Array(copy).set(buffer.subarray(start, start + byteLength));
    return new ctor(copy);
  });
  return rebuildWork(header, arrays);
}

/** The JSON header's length, from a work file's first 8 bytes (the magic, then a uint32 LE). */
export function readWorkPrefix(prefix: Buffer): number {
  checkHost();
  if (prefix.length < 8 || !prefix.subarray(0, 4).equals(MAGIC)) throw notAWorkFile(prefix);
  return prefix.readUInt32LE(4);
}

function notAWorkFile(start: Buffer): JobStepError {
  return bad(`Work file must start with "PFW1". Received ${start.length} bytes starting ${JSON.stringify(start.subarray(0, 4).toString('latin1'))}`);
}

/** Where the typed arrays' bytes begin, after a header of `jsonLength` bytes. */
export function workDataStart(jsonLength: number): number {
  return Math.ceil((8 + jsonLength) / 8) * 8;
}

/** The header, refused unless it is of this format version and holds `expectedKind`. */
export function parseWorkHeader(expectedKind: string, json: Buffer): WorkHeader {
  const header = JSON.parse(json.toString('utf8')) as WorkHeader;
  if (header.version !== WORK_FORMAT_VERSION) throw bad(versionMessage(header.version));
  if (header.kind !== expectedKind) throw bad(`Work file must hold a ${expectedKind}. Received: ${String(header.kind)}`);
  return header;
}

/** The constructor and byte length of a header's array entry. */
export function arrayLayout(entry: WorkArrayEntry): { ctor: { new (buffer: ArrayBuffer): Typed }; byteLength: number } {
  const ctor = CONSTRUCTORS[entry.kind];
  if (ctor === undefined) throw bad(`Unknown array kind in work file: ${String(entry.kind)}`);
  return { ctor, byteLength: entry.length * ctor.BYTES_PER_ELEMENT };
}

export function arrayPastEnd(byteLength: number, start: number, fileLength: number): JobStepError {
  return bad(`Array of ${byteLength} bytes at ${start} runs past the work file's end (${fileLength}).`);
}

/** The encoded value, its `{"$a": n}` placeholders replaced by `arrays[n]`. */
export function rebuildWork(header: WorkHeader, arrays: readonly Typed[]): unknown {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node !== null && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (typeof record['$a'] === 'number' && Object.keys(record).length === 1) {
        const typed = arrays[record['$a']];
        if (typed === undefined) throw bad(`Work file refers to array ${record['$a']} of ${arrays.length}.`);
        return typed;
      }
      if (typeof record['$n'] === 'string' && Object.keys(record).length === 1) return Number(record['$n']);
      return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, walk(v)]));
    }
    return node;
  };
  return walk(header.value);
}

function versionMessage(version: unknown): string {
  const base = `Work file version must be ${WORK_FORMAT_VERSION}. Received: ${String(version)}`;
  if (typeof version !== 'number' || version >= WORK_FORMAT_VERSION) return base;
  const changes = Object.entries(VERSION_CHANGES).filter(([v]) => Number(v) > version).map(([v, what]) => `${v}: ${what}`);
  return `${base} (written by an older farm; since then ${changes.join('; ')}). Submit the job again.`;
}

/** A prepared clip as `work/clip.bin` holds it: its audio is stored apart (`work/samples.f32`), named by its length. */
type StoredPreparedClip = Omit<PreparedClip, 'audio'> & { audioSamples: number };

/** Opens the stored samples of a clip of `sampleCount` samples (storedClipAudio). */
export type OpenClipAudio = (sampleCount: number) => ClipAudio;

function storedForm(clip: PreparedClip): StoredPreparedClip {
  const { audio, ...rest } = clip;
  return { ...rest, audioSamples: audio.sampleCount };
}

/** The clip without its audio samples, which the prepare step stores apart (clipAudioStream). */
export function encodePreparedClip(clip: PreparedClip): Buffer {
  return encodeWork('prepared-clip', storedForm(clip));
}

/**
 * {@link encodePreparedClip} as a stream over the clip's own arrays, for storing it without a copy. In object mode,
 * so each part is read as it is: a byte stream joins the parts it holds into one buffer when read.
 */
export function preparedClipStream(clip: PreparedClip): Readable {
  return Readable.from(encodeWorkParts('prepared-clip', storedForm(clip)), { objectMode: true });
}

export function decodePreparedClip(bytes: Uint8Array, openAudio: OpenClipAudio): PreparedClip {
  return checkPreparedClip(decodeWork('prepared-clip', bytes), openAudio);
}

/** A decoded prepared-clip work file's value, refused unless it holds what a segment reads, with its audio opened. */
export function checkPreparedClip(value: unknown, openAudio: OpenClipAudio): PreparedClip {
  const stored = value as Partial<StoredPreparedClip>;
  const sampleCount = stored.audioSamples;
  if (typeof sampleCount !== 'number' || !Number.isInteger(sampleCount) || sampleCount < 0 || typeof stored.melPeak !== 'number' || !(stored.source?.image?.data instanceof Uint8Array) || !Array.isArray(stored.segments)) {
    throw bad('Work file does not hold a prepared clip (audio length, mel peak, source image, segments).');
  }
  const { audioSamples: _stored, ...rest } = stored as StoredPreparedClip;
  return { ...rest, audio: openAudio(sampleCount) };
}

export function encodeRelay(relay: SegmentRelay): Buffer {
  return encodeWork('segment-relay', relay);
}

export function decodeRelay(bytes: Uint8Array): SegmentRelay {
  const relay = decodeWork('segment-relay', bytes) as SegmentRelay;
  if (!(relay.tail instanceof Float32Array) || !(relay.motion instanceof Float32Array)) throw bad('Work file does not hold a segment relay (tail, motion).');
  return relay;
}
