/** Bytes of one ISO BMFF box or of its fields; nested arrays are flattened in order. */
export type BoxPart = Uint8Array | readonly BoxPart[];

function flatten(parts: readonly BoxPart[], into: Uint8Array[]): void {
  for (const part of parts) {
    if (part instanceof Uint8Array) into.push(part);
    else flatten(part, into);
  }
}

/** A box: 32-bit size, four-character type, then its fields and child boxes. */
export function box(type: string, ...parts: BoxPart[]): Buffer {
  const content: Uint8Array[] = [];
  flatten(parts, content);
  const size = 8 + content.reduce((sum, part) => sum + part.length, 0);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(size, 0);
  header.write(type, 4, 4, 'latin1');
  return Buffer.concat([header, ...content], size);
}

/** A full box: a box whose content starts with an 8-bit version and 24-bit flags. */
export function fullBox(type: string, version: number, flags: number, ...parts: BoxPart[]): Buffer {
  return box(type, u8(version), u24(flags), ...parts);
}

export function u8(value: number): Buffer {
  return Buffer.from([value & 0xff]);
}

export function u16(value: number): Buffer {
  const bytes = Buffer.alloc(2);
  bytes.writeUInt16BE(value & 0xffff);
  return bytes;
}

export function i16(value: number): Buffer {
  const bytes = Buffer.alloc(2);
  bytes.writeInt16BE(value);
  return bytes;
}

export function u24(value: number): Buffer {
  const bytes = Buffer.alloc(3);
  bytes.writeUIntBE(value & 0xffffff, 0, 3);
  return bytes;
}

export function u32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0);
  return bytes;
}

export function u64(value: number | bigint): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(value));
  return bytes;
}

export function zeros(count: number): Buffer {
  return Buffer.alloc(count);
}

export function fourcc(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

/** The unity matrix of mvhd and tkhd (16.16 and 2.30 fixed point). */
export function unityMatrix(): Buffer {
  return Buffer.concat([0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000].map(u32));
}
