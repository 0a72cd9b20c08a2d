import type { RtcpPacket, RtpPacket } from 'werift';

/** One RTP packet as the receiving peer got it (after SRTP), stamped on arrival. */
export interface ReceivedRtp {
  arrivalMs: number;
  timestamp: number;
  sequenceNumber: number;
  marker: boolean;
  payload: Buffer;
}

/** A sender report: the wall clock (NTP, seconds) the sender pairs with an RTP timestamp. */
export interface ReceivedSenderReport {
  ntpSeconds: number;
  rtpTimestamp: number;
}

/** A werift peer answering a session's offer and keeping every packet and sender report it got. */
export interface WebRtcReceiver {
  answer: string;
  video: ReceivedRtp[];
  audio: ReceivedRtp[];
  reports: { video: ReceivedSenderReport[]; audio: ReceivedSenderReport[] };
  connected: Promise<void>;
  close(): Promise<void>;
}

const SENDER_REPORT = 200;

/** Answers `offer` (waiting for every local candidate, no trickle); werift is imported only here (Node >= 22). */
export async function answerOffer(offer: string): Promise<WebRtcReceiver> {
  const werift = await import('werift');
  const connection = new werift.RTCPeerConnection({
    iceAdditionalHostAddresses: ['127.0.0.1'],
    codecs: {
      video: [new werift.RTCRtpCodecParameters({ mimeType: 'video/H264', clockRate: 90_000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }], parameters: 'profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1' })],
      audio: [new werift.RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48_000, channels: 2 })],
    },
  });
  const received: WebRtcReceiver = {
    answer: '',
    video: [],
    audio: [],
    reports: { video: [], audio: [] },
    connected: connection.connectionStateChange.watch((state) => state === 'connected').then(() => {}),
    close: () => connection.close(),
  };
  connection.onTrack.subscribe((track) => {
    const kind = track.kind === 'video' ? 'video' : 'audio';
    track.onReceiveRtp.subscribe((rtp: RtpPacket) => {
      const { header } = rtp;
      received[kind].push({ arrivalMs: performance.now(), timestamp: header.timestamp, sequenceNumber: header.sequenceNumber, marker: header.marker, payload: Buffer.from(rtp.payload) });
    });
  });
  await connection.setRemoteDescription({ type: 'offer', sdp: offer });
  for (const transceiver of connection.getTransceivers()) {
    const kind = transceiver.kind === 'video' ? 'video' : 'audio';
    transceiver.receiver.onRtcp.subscribe((packet: RtcpPacket) => {
      if (packet.type !== SENDER_REPORT) return;
      const { ntpTimestamp, rtpTimestamp } = packet.senderInfo;
      received.reports[kind].push({ ntpSeconds: Number(ntpTimestamp >> 32n) + Number(ntpTimestamp & 0xffffffffn) / 2 ** 32, rtpTimestamp });
    });
  }
  await connection.setLocalDescription(await connection.createAnswer());
  if (connection.iceGatheringState !== 'complete') await connection.iceGatheringStateChange.watch((state) => state === 'complete');
  received.answer = connection.localDescription!.sdp;
  return received;
}

/** One access unit put back together from its packets: its NAL units, when its last packet arrived. */
export interface ReassembledAccessUnit {
  timestamp: number;
  arrivalMs: number;
  nalUnits: Buffer[];
}

const FU_A = 28;

/**
 * H.264 access units from RTP packets in arrival order (RFC 6184 mode 1: single NAL units and FU-A; an access unit
 * ends at the marker). Throws on a gap in sequence numbers or a broken fragment: a test wants every packet.
 */
export function reassembleH264(packets: readonly ReceivedRtp[]): ReassembledAccessUnit[] {
  const units: ReassembledAccessUnit[] = [];
  let current: Buffer[] = [];
  let fragment: Buffer[] | null = null;
  let previous: number | null = null;
  for (const packet of packets) {
    if (previous !== null && packet.sequenceNumber !== ((previous + 1) & 0xffff)) throw new Error(`RTP sequence gap: ${previous} then ${packet.sequenceNumber}`);
    previous = packet.sequenceNumber;
    const type = packet.payload[0]! & 0x1f;
    if (type === FU_A) {
      const header = packet.payload[1]!;
      const start = (header & 0x80) !== 0;
      const end = (header & 0x40) !== 0;
      if (start) fragment = [Buffer.from([(packet.payload[0]! & 0xe0) | (header & 0x1f)])];
      if (fragment === null) throw new Error(`FU-A continuation without a start at sequence ${packet.sequenceNumber}`);
      fragment.push(packet.payload.subarray(2));
      if (end) {
        current.push(Buffer.concat(fragment));
        fragment = null;
      }
    } else if (type >= 1 && type <= 23) current.push(packet.payload);
    else throw new Error(`unexpected NAL unit type ${type} in mode 1 at sequence ${packet.sequenceNumber}`);
    if (packet.marker) {
      units.push({ timestamp: packet.timestamp, arrivalMs: packet.arrivalMs, nalUnits: current });
      current = [];
    }
  }
  return units;
}

/** Annex B byte stream of access units (start codes), as ffmpeg's h264 demuxer reads. */
export function annexBStream(units: readonly ReassembledAccessUnit[]): Buffer {
  const startCode = Buffer.from([0, 0, 0, 1]);
  return Buffer.concat(units.flatMap((unit) => unit.nalUnits.flatMap((nal) => [startCode, nal])));
}
