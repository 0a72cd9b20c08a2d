import { codedLength, convolutionalEncode, viterbiDecode } from './convolutional-code.ts';
import { MAC_BITS, macMatches, payloadMac } from './mac.ts';

/** Payload length in bytes (64 bits). */
export const PAYLOAD_BYTES = 8;
const INFO_BITS = PAYLOAD_BYTES * 8 + MAC_BITS;
/** Coded bits carried by the pattern: payload + MAC, convolutionally encoded. */
export const CODED_BITS = codedLength(INFO_BITS);

function toBits(bytes: Uint8Array): number[] {
  const bits: number[] = [];
  for (const byte of bytes) for (let i = 7; i >= 0; i -= 1) bits.push((byte >> i) & 1);
  return bits;
}

function toBytes(bits: readonly number[]): Uint8Array {
  const out = new Uint8Array(Math.ceil(bits.length / 8));
  bits.forEach((bit, i) => {
    if (bit === 1) out[i >> 3] = (out[i >> 3] ?? 0) | (1 << (7 - (i & 7)));
  });
  return out;
}

export function checkPayload(payload: Uint8Array): void {
  if (!(payload instanceof Uint8Array) || payload.length !== PAYLOAD_BYTES) {
    throw new RangeError(`A watermark payload is ${PAYLOAD_BYTES} bytes. Passed: ${payload?.length ?? typeof payload}`);
  }
}

/** payload (64 bits) + keyed MAC (32 bits) -> CODED_BITS bits (0/1). */
export function encodeCodeword(payload: Uint8Array, key: string | Uint8Array): number[] {
  checkPayload(payload);
  return convolutionalEncode([...toBits(payload), ...toBits(payloadMac(payload, key))]);
}

export interface DecodedCodeword {
  payload: Uint8Array;
  macValid: boolean;
  /** Hard decisions of `soft` that disagree with the decoded codeword re-encoded. */
  bitErrors: number;
}

/** Soft coded-bit evidence (>0: 1) -> payload, whether its MAC matches and the channel bit errors. */
export function decodeCodeword(soft: ArrayLike<number>, key: string | Uint8Array): DecodedCodeword {
  const bits = viterbiDecode(soft, INFO_BITS);
  const payload = toBytes(bits.slice(0, PAYLOAD_BYTES * 8));
  const mac = toBytes(bits.slice(PAYLOAD_BYTES * 8));
  const again = convolutionalEncode(bits);
  let bitErrors = 0;
  for (let i = 0; i < again.length; i += 1) if (((soft[i] ?? 0) > 0 ? 1 : 0) !== again[i]) bitErrors += 1;
  return { payload, macValid: macMatches(payload, mac, key), bitErrors };
}
