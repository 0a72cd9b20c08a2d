/** NAL unit types of H.264 this package names. */
export const NAL_TYPE = Object.freeze({ slice: 1, idrSlice: 5, sei: 6, sps: 7, pps: 8, accessUnitDelimiter: 9 });

/** The NAL units of a length-prefixed (MP4 / avcC style) access unit, as views into it. */
export function nalUnitsOf(sample: Uint8Array, nalLengthBytes = 4): Uint8Array[] {
  const units: Uint8Array[] = [];
  let at = 0;
  while (at + nalLengthBytes <= sample.length) {
    let size = 0;
    for (let i = 0; i < nalLengthBytes; i++) size = size * 256 + sample[at + i]!;
    at += nalLengthBytes;
    units.push(sample.subarray(at, Math.min(sample.length, at + size)));
    at += size;
  }
  return units;
}

/**
 * The same access unit in Annex B form (start codes instead of lengths), with the parameter sets put before an IDR
 * slice: what an RTP packetizer or a raw .h264 file takes.
 */
export function annexBOf(sample: Uint8Array, parameterSets: readonly Uint8Array[] = [], nalLengthBytes = 4): Buffer {
  const units = nalUnitsOf(sample, nalLengthBytes);
  const idr = units.some((unit) => (unit[0]! & 0x1f) === NAL_TYPE.idrSlice);
  const all = idr ? [...parameterSets, ...units] : units;
  const startCode = Buffer.from([0, 0, 0, 1]);
  return Buffer.concat(all.flatMap((unit) => [startCode, unit]));
}
