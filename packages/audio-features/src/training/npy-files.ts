/**
 * The two NumPy containers the training toolkit writes (models/training/DATA.md): `.npy` arrays and `numpy.savez`
 * archives (a ZIP of stored `.npy` entries, with ZIP64 sizes). Only little-endian int16 and float32 arrays, C order.
 */
export type NpyArray = { dtype: '<i2'; shape: number[]; data: Int16Array } | { dtype: '<f4'; shape: number[]; data: Float32Array };

const MAGIC = '\x93NUMPY';
const LOCAL_HEADER = 0x04034b50;

/** Bytes per element of a NumPy type string (`<f4`, `<i2`, `<U3`: 4 bytes per character). */
function itemSize(descr: string, name: string): number {
  const match = /^[<>|=]?([a-zA-Z])(\d+)$/.exec(descr);
  if (match === null) throw new Error(`${name}: unknown NumPy type ${descr}`);
  return match[1] === 'U' ? 4 * Number(match[2]) : Number(match[2]);
}

/** Reads one `.npy` entry starting at `offset`: its array (null for types other than int16 and float32) and its end. */
function readNpy(bytes: Uint8Array, offset: number, name: string): { array: NpyArray | null; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (String.fromCharCode(...bytes.subarray(offset, offset + 6)) !== MAGIC) throw new Error(`${name}: not a .npy array`);
  const major = bytes[offset + 6]!;
  const headerLength = major === 1 ? view.getUint16(offset + 8, true) : view.getUint32(offset + 8, true);
  const headerStart = offset + (major === 1 ? 10 : 12);
  const header = new TextDecoder('latin1').decode(bytes.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (shapeText === undefined || descr === undefined || fortran === undefined) throw new Error(`${name}: unreadable .npy header ${header.trim()}`);
  const shape = shapeText.split(',').map((d) => d.trim()).filter((d) => d !== '').map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const start = headerStart + headerLength;
  const end = start + count * itemSize(descr, name);
  if (end > bytes.byteLength) throw new Error(`${name}: ${end - start} bytes of data expected, ${bytes.byteLength - start} found`);
  if (fortran !== 'False' || (descr !== '<i2' && descr !== '<f4')) return { array: null, end };
  const copy = new Uint8Array(bytes.subarray(start, end));
  const array: NpyArray = descr === '<i2'
    ? { dtype: descr, shape, data: new Int16Array(copy.buffer) }
    : { dtype: descr, shape, data: new Float32Array(copy.buffer) };
  return { array, end };
}

/** The int16 and float32 arrays of a `numpy.savez` archive (uncompressed), by name without `.npy`. */
export function readNpz(bytes: Uint8Array, name = 'archive'): Map<string, NpyArray> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const arrays = new Map<string, NpyArray>();
  let offset = 0;
  while (offset + 30 <= bytes.byteLength && view.getUint32(offset, true) === LOCAL_HEADER) {
    const method = view.getUint16(offset + 8, true);
    const nameLength = view.getUint16(offset + 26, true);
    const extraLength = view.getUint16(offset + 28, true);
    const entry = new TextDecoder().decode(bytes.subarray(offset + 30, offset + 30 + nameLength));
    if (method !== 0) throw new Error(`${name}: entry ${entry} is compressed (numpy.savez_compressed); only numpy.savez archives are read`);
    const { array, end } = readNpy(bytes, offset + 30 + nameLength + extraLength, `${name}/${entry}`);
    if (array !== null) arrays.set(entry.replace(/\.npy$/, ''), array);
    offset = end;
  }
  return arrays;
}

/** A float32 C-order `.npy` file (format 1.0) of `data` with `shape`. */
export function float32Npy(data: Float32Array, shape: readonly number[]): Uint8Array {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8], 0);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}
