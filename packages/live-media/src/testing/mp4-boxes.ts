/** One box read back from MP4 bytes, for tests: where it is, its content, and its children when it is a container. */
export interface ReadBox {
  type: string;
  /** Offset of the box's first byte in the buffer read. */
  offset: number;
  size: number;
  /** The box's content after its 8-byte header. */
  content: Buffer;
  children: ReadBox[];
}

/** Containers, and how many bytes of their own fields come before their child boxes. */
const CONTAINERS: Record<string, number> = {
  moov: 0, trak: 0, mdia: 0, minf: 0, stbl: 0, dinf: 0, mvex: 0, moof: 0, traf: 0,
  stsd: 8, dref: 8, avc1: 78, Opus: 28,
};

/** Reads the boxes of `bytes` (from `base` to the end) and, recursively, of the containers among them. */
export function readBoxes(bytes: Buffer, base = 0, end = bytes.length): ReadBox[] {
  const boxes: ReadBox[] = [];
  let at = base;
  while (at + 8 <= end) {
    const size = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    if (size < 8 || at + size > end) throw new Error(`box ${type} at ${at} has size ${size}, past ${end}`);
    const content = bytes.subarray(at + 8, at + size);
    const skip = CONTAINERS[type];
    boxes.push({ type, offset: at, size, content, children: skip === undefined ? [] : readBoxes(bytes, at + 8 + skip, at + size) });
    at += size;
  }
  if (at !== end) throw new Error(`${end - at} bytes left after the last box`);
  return boxes;
}

/** The first box found along a path of types (`moov/trak/mdia/mdhd`), from a list of sibling boxes. */
export function findBox(boxes: readonly ReadBox[], path: string): ReadBox {
  const [first, ...rest] = path.split('/');
  const found = boxes.find((b) => b.type === first);
  if (found === undefined) throw new Error(`no ${first} among ${boxes.map((b) => b.type).join(', ')}`);
  return rest.length === 0 ? found : findBox(found.children, rest.join('/'));
}

/** Every box of a type among siblings. */
export function boxesOf(boxes: readonly ReadBox[], type: string): ReadBox[] {
  return boxes.filter((b) => b.type === type);
}
