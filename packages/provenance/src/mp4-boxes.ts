import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';

/** The project's uuid box type (ISO/IEC 14496-12 `uuid` extended type) carrying the signed manifest. */
export const MANIFEST_BOX_UUID = '7f1e6c2a-4d3b-4b8e-9a51-70f2a5c3e9d1';
const UUID_BYTES = Buffer.from(MANIFEST_BOX_UUID.replaceAll('-', ''), 'hex');

/** A top-level box of an MP4: where it starts, its whole size, its type and (uuid boxes) extended type. */
export interface TopLevelBox {
  offset: number;
  size: number;
  type: string;
  /** The 16-byte extended type of a `uuid` box as a dashed UUID, else null. */
  uuid: string | null;
}

function dashed(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The file's top-level boxes, in order; throws when the box sizes do not tile the file (not an MP4). */
export async function topLevelBoxes(path: string): Promise<TopLevelBox[]> {
  const fileSize = (await stat(path)).size;
  const handle = await open(path, 'r');
  try {
    const boxes: TopLevelBox[] = [];
    const head = Buffer.alloc(32);
    let offset = 0;
    while (offset < fileSize) {
      const { bytesRead } = await handle.read(head, 0, 32, offset);
      if (bytesRead < 8) throw new Error(`not an MP4: a truncated box header at byte ${offset}`);
      let size = head.readUInt32BE(0);
      const type = head.toString('latin1', 4, 8);
      let headerSize = 8;
      if (size === 1) {
        if (bytesRead < 16) throw new Error(`not an MP4: a truncated box header at byte ${offset}`);
        size = Number(head.readBigUInt64BE(8));
        headerSize = 16;
      } else if (size === 0) {
        size = fileSize - offset;
      }
      if (!/^[\x20-\x7e]{4}$/.test(type) || size < headerSize || offset + size > fileSize) {
        throw new Error(`not an MP4: a malformed box at byte ${offset}`);
      }
      const uuid = type === 'uuid' && bytesRead >= headerSize + 16 ? dashed(head.toString('hex', headerSize, headerSize + 16)) : null;
      boxes.push({ offset, size, type, uuid });
      offset += size;
    }
    return boxes;
  } finally {
    await handle.close();
  }
}

/** The box header + extended type for `payloadSize` bytes of content. */
function manifestBoxHeader(payloadSize: number): Buffer {
  const header = Buffer.alloc(8 + 16);
  header.writeUInt32BE(8 + 16 + payloadSize, 0);
  header.write('uuid', 4, 'latin1');
  UUID_BYTES.copy(header, 8);
  return header;
}

/** The manifest box's bytes (a top-level `uuid` box of {@link MANIFEST_BOX_UUID}: header, extended type, content). */
export function manifestBoxBytes(content: Buffer): Buffer {
  return Buffer.concat([manifestBoxHeader(content.length), content]);
}

/** The project's manifest box of the file, or null. */
export async function findManifestBox(path: string): Promise<TopLevelBox | null> {
  return (await topLevelBoxes(path)).find((box) => box.type === 'uuid' && box.uuid === MANIFEST_BOX_UUID) ?? null;
}

/** The content of the manifest box (after its header and extended type). */
export async function readBoxContent(path: string, box: TopLevelBox): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const header = Buffer.alloc(4);
    await handle.read(header, 0, 4, box.offset);
    const start = header.readUInt32BE(0) === 1 ? 16 + 16 : 8 + 16;
    const content = Buffer.alloc(box.size - start);
    await handle.read(content, 0, content.length, box.offset + start);
    return content;
  } finally {
    await handle.close();
  }
}

/** A sha256 fed with every byte of the file except the `excluded` box (all of it when null), not yet digested. */
export async function hashExcluding(path: string, excluded: TopLevelBox | null): Promise<Hash> {
  const hash = createHash('sha256');
  const size = (await stat(path)).size;
  const ranges: Array<[number, number]> = excluded === null ? [[0, size]] : [[0, excluded.offset], [excluded.offset + excluded.size, size]];
  for (const [start, end] of ranges) {
    if (end <= start) continue;
    for await (const part of createReadStream(path, { start, end: end - 1 })) hash.update(part as Buffer);
  }
  return hash;
}

/** sha256 (hex) of every byte of the file except the `excluded` box (all of it when null). */
export async function sha256Excluding(path: string, excluded: TopLevelBox | null): Promise<string> {
  return (await hashExcluding(path, excluded)).digest('hex');
}
