/**
 * Rate-1/2 convolutional code, constraint length 7 (generators 133, 171 octal, the NASA/802.11 code), terminated
 * with 6 zero tail bits, decoded by soft-decision Viterbi.
 */
const CONSTRAINT = 7;
const STATES = 1 << (CONSTRAINT - 1);
const G0 = 0o133;
const G1 = 0o171;
export const TAIL_BITS = CONSTRAINT - 1;

function parity(x: number): number {
  let v = x;
  v ^= v >> 4; v ^= v >> 2; v ^= v >> 1;
  return v & 1;
}

/** Output bits (two per input) for register value `reg` (newest bit in the highest position). */
function outputs(reg: number): [number, number] {
  return [parity(reg & G0), parity(reg & G1)];
}

/** Number of coded bits for `infoBits` information bits. */
export function codedLength(infoBits: number): number {
  return 2 * (infoBits + TAIL_BITS);
}

/** Encodes bits (0/1) to 2*(n+6) coded bits. */
export function convolutionalEncode(bits: readonly number[]): number[] {
  const out: number[] = [];
  let state = 0;
  for (const bit of [...bits, ...new Array<number>(TAIL_BITS).fill(0)]) {
    const reg = (bit << (CONSTRAINT - 1)) | state;
    const [a, b] = outputs(reg);
    out.push(a, b);
    state = reg >> 1;
  }
  return out;
}

/**
 * Soft-decision Viterbi. `soft[i]` > 0 means coded bit i is more likely 1 (any scale: log-likelihood ratios or
 * correlations). Returns the `infoBits` most likely information bits.
 */
export function viterbiDecode(soft: ArrayLike<number>, infoBits: number): number[] {
  const steps = infoBits + TAIL_BITS;
  let metric = new Float64Array(STATES).fill(-Infinity);
  metric[0] = 0;
  const from = new Uint8Array(steps * STATES * 1); // the input bit that entered each state
  const prev = new Int16Array(steps * STATES);
  for (let t = 0; t < steps; t += 1) {
    const s0 = soft[2 * t] ?? 0;
    const s1 = soft[2 * t + 1] ?? 0;
    const next = new Float64Array(STATES).fill(-Infinity);
    const maxBit = t < infoBits ? 1 : 0;
    for (let state = 0; state < STATES; state += 1) {
      const m = metric[state] ?? -Infinity;
      if (m === -Infinity) continue;
      for (let bit = 0; bit <= maxBit; bit += 1) {
        const reg = (bit << (CONSTRAINT - 1)) | state;
        const [a, b] = outputs(reg);
        const candidate = m + (a === 1 ? s0 : -s0) + (b === 1 ? s1 : -s1);
        const ns = reg >> 1;
        if (candidate > (next[ns] ?? -Infinity)) {
          next[ns] = candidate;
          from[t * STATES + ns] = bit;
          prev[t * STATES + ns] = state;
        }
      }
    }
    metric = next;
  }
  const bits = new Array<number>(steps);
  let state = 0;
  for (let t = steps - 1; t >= 0; t -= 1) {
    bits[t] = from[t * STATES + state] ?? 0;
    state = prev[t * STATES + state] ?? 0;
  }
  return bits.slice(0, infoBits);
}
