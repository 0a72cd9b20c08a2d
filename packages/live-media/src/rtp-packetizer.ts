import { NAL_TYPE, nalUnitsOf } from './avc-sample.ts';

/** The 12-byte RTP header fields (RFC 3550) a packetizer sets; no CSRCs, no extension, no padding. */
export interface RtpHeader {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker: boolean;
}

/** One RTP packet: its header and payload, and the whole datagram. */
export interface RtpPacket {
  header: RtpHeader;
  payload: Buffer;
  bytes: Buffer;
}

const RTP_VERSION = 2;
const HEADER_BYTES = 12;
/** Payload bytes per packet: fits a 1280-byte path MTU with IPv6, UDP, SRTP and TURN overheads. */
export const DEFAULT_RTP_PAYLOAD_BYTES = 1100;
const FU_A = 28;

export function serializeRtp(header: RtpHeader, payload: Uint8Array): Buffer {
  const bytes = Buffer.alloc(HEADER_BYTES + payload.length);
  bytes[0] = RTP_VERSION << 6;
  bytes[1] = (header.marker ? 0x80 : 0) | (header.payloadType & 0x7f);
  bytes.writeUInt16BE(header.sequenceNumber & 0xffff, 2);
  bytes.writeUInt32BE(header.timestamp >>> 0, 4);
  bytes.writeUInt32BE(header.ssrc >>> 0, 8);
  bytes.set(payload, HEADER_BYTES);
  return bytes;
}

/** The sequence numbers and header fields one stream shares. */
class RtpStream {
  #sequence: number;

  constructor(
    readonly payloadType: number,
    readonly ssrc: number,
    firstSequence: number,
  ) {
    this.#sequence = firstSequence & 0xffff;
  }

  packet(timestamp: number, marker: boolean, payload: Buffer): RtpPacket {
    const header = { payloadType: this.payloadType, sequenceNumber: this.#sequence, timestamp: timestamp >>> 0, ssrc: this.ssrc, marker };
    this.#sequence = (this.#sequence + 1) & 0xffff;
    return { header, payload, bytes: serializeRtp(header, payload) };
  }
}

/** Options of both packetizers. */
export interface RtpPacketizerOptions {
  payloadType: number;
  ssrc: number;
  /** @defaultValue 0 (a sender should start at a random value) */
  firstSequence?: number;
}

/**
 * H.264 over RTP (RFC 6184, packetization mode 1): each NAL unit of an access unit in one packet when it fits, else
 * in FU-A fragments; the parameter sets go before every IDR, so a receiver can start at any keyframe; the marker is
 * set on the access unit's last packet; timestamps on the 90 kHz clock.
 */
export class H264RtpPacketizer {
  readonly #stream: RtpStream;
  readonly #maxPayload: number;
  readonly #parameterSets: readonly Uint8Array[];

  constructor(options: RtpPacketizerOptions & { parameterSets: readonly Uint8Array[]; maxPayloadBytes?: number }) {
    this.#stream = new RtpStream(options.payloadType, options.ssrc, options.firstSequence ?? 0);
    this.#maxPayload = options.maxPayloadBytes ?? DEFAULT_RTP_PAYLOAD_BYTES;
    if (!Number.isInteger(this.#maxPayload) || this.#maxPayload < 3) throw new RangeError(`maxPayloadBytes must be an integer of at least 3. Passed: ${this.#maxPayload}`);
    this.#parameterSets = options.parameterSets;
  }

  /** The packets of one access unit (4-byte length-prefixed NAL units, as LiveVideoEncoder hands out). */
  packetize(accessUnit: Uint8Array, ptsSeconds: number): RtpPacket[] {
    const units = nalUnitsOf(accessUnit).filter((unit) => unit.length > 0 && (unit[0]! & 0x1f) !== NAL_TYPE.accessUnitDelimiter);
    const idr = units.some((unit) => (unit[0]! & 0x1f) === NAL_TYPE.idrSlice);
    const all = idr ? [...this.#parameterSets, ...units] : units;
    const timestamp = Math.round(ptsSeconds * 90_000);
    const payloads = all.flatMap((unit) => this.#payloadsOf(unit));
    return payloads.map((payload, i) => this.#stream.packet(timestamp, i === payloads.length - 1, payload));
  }

  #payloadsOf(unit: Uint8Array): Buffer[] {
    if (unit.length <= this.#maxPayload) return [Buffer.from(unit)];
    const header = unit[0]!;
    const indicator = (header & 0xe0) | FU_A;
    const type = header & 0x1f;
    const body = unit.subarray(1);
    const step = this.#maxPayload - 2;
    const out: Buffer[] = [];
    for (let at = 0; at < body.length; at += step) {
      const start = at === 0 ? 0x80 : 0;
      const end = at + step >= body.length ? 0x40 : 0;
      out.push(Buffer.concat([Buffer.from([indicator, start | end | type]), body.subarray(at, at + step)]));
    }
    return out;
  }
}

/** Opus over RTP (RFC 7587): one packet per Opus packet, timestamps on the 48 kHz clock, no marker. */
export class OpusRtpPacketizer {
  readonly #stream: RtpStream;

  constructor(options: RtpPacketizerOptions) {
    this.#stream = new RtpStream(options.payloadType, options.ssrc, options.firstSequence ?? 0);
  }

  /** `startSample`: where the packet's sound starts, in 48 kHz samples (LiveAudioEncoder's AudioPacket). */
  packetize(opusPacket: Uint8Array, startSample: number): RtpPacket {
    return this.#stream.packet(startSample, false, Buffer.from(opusPacket));
  }
}
