import { isIPv4, isIPv6 } from 'node:net';

/** Parses a dotted IPv4 address into 4 bytes, or null. */
export function parseIPv4(address: string): Uint8Array | null {
  if (!isIPv4(address)) return null;
  return Uint8Array.from(address.split('.').map(Number));
}

/** Parses an IPv6 address (with "::", an embedded dotted IPv4 tail or a zone id) into 16 bytes, or null. */
export function parseIPv6(address: string): Uint8Array | null {
  const withoutZone = address.replace(/%.*$/, '');
  if (!isIPv6(withoutZone)) return null;
  let text = withoutZone;
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1] !== undefined) {
    const v4 = parseIPv4(dotted[1]);
    if (v4 === null) return null;
    tail.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    text = text.slice(0, -dotted[1].length).replace(/:$/, '') || ':';
    if (text.endsWith(':') && !text.endsWith('::')) text += ':';
  }
  const [head = '', rest] = text.split('::');
  const parse = (part: string | undefined) => (part === undefined || part === '' ? [] : part.split(':').map((h) => parseInt(h, 16)));
  const left = parse(head);
  const right = [...parse(rest), ...tail];
  const missing = 8 - left.length - right.length;
  if (rest === undefined && missing !== 0) return null;
  const groups = [...left, ...new Array<number>(Math.max(missing, 0)).fill(0), ...right];
  if (groups.length !== 8 || groups.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) return null;
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 0xff;
  });
  return bytes;
}

/** True when the first `bits` bits of `address` equal those of `network`. */
export function inSubnet(address: Uint8Array, network: Uint8Array, bits: number): boolean {
  if (address.length !== network.length) return false;
  for (let i = 0; i < bits; i += 8) {
    const take = Math.min(8, bits - i);
    const mask = (0xff << (8 - take)) & 0xff;
    if ((address[i / 8]! & mask) !== (network[i / 8]! & mask)) return false;
  }
  return true;
}
