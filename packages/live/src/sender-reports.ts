import type { RTCRtpSender } from 'werift';

type Werift = typeof import('werift');

/** Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
const NTP_UNIX_OFFSET_SECONDS = 2_208_988_800;

/** A wall-clock time (ms since the Unix epoch, fractional) as a 64-bit NTP timestamp. */
export function ntpTimestampOf(unixMs: number): bigint {
  const seconds = Math.floor(unixMs / 1000);
  const fraction = Math.floor(((unixMs - seconds * 1000) / 1000) * 2 ** 32);
  return (BigInt(seconds + NTP_UNIX_OFFSET_SECONDS) << 32n) | BigInt(fraction);
}

/** How many reports go out 250 ms apart before the interval grows to about a second. */
const FIRST_QUICK_REPORTS = 3;

/** One stream whose sender reports this sends. */
export interface ReportedStream {
  sender: RTCRtpSender;
  clockRate: number;
  cname: string;
  /** Packets and payload bytes sent so far. */
  counts(): { packets: number; octets: number };
}

/**
 * RTCP sender reports (RFC 3550, 6.4.1) for streams whose RTP timestamps are media time on one timeline, media
 * time 0 at `mediaStartUnixMs`: each report pairs the wall clock with the RTP time of the same instant, so a receiver
 * maps both streams to one clock and plays them in sync.
 *
 * werift's own reports must be off (createSendingPeer turns them off): 0.25.2 writes the decimal digits of the seconds' fraction into the NTP
 * fraction field (0.5 s goes out as 5 / 2^32 s), so its reports put the wall clock up to a second off, differently
 * for each report and each stream.
 */
export function startSenderReports(werift: Werift, streams: readonly ReportedStream[], mediaStartUnixMs: number): { stop(): void } {
  let timer: NodeJS.Timeout | null = null;
  let sent = 0;
  const report = (): void => {
    const nowMs = performance.timeOrigin + performance.now();
    for (const stream of streams) {
      const { packets, octets } = stream.counts();
      const rtpTimestamp = Math.round(((nowMs - mediaStartUnixMs) / 1000) * stream.clockRate) >>> 0;
      const senderReport = new werift.RtcpSrPacket({
        ssrc: stream.sender.ssrc,
        senderInfo: new werift.RtcpSenderInfo({ ntpTimestamp: ntpTimestampOf(nowMs), rtpTimestamp, packetCount: packets >>> 0, octetCount: octets >>> 0 }),
      });
      const description = new werift.RtcpSourceDescriptionPacket({
        chunks: [new werift.SourceDescriptionChunk({ source: stream.sender.ssrc, items: [new werift.SourceDescriptionItem({ type: 1, text: stream.cname })] })],
      });
      stream.sender.dtlsTransport.sendRtcp([senderReport, description]).catch(() => {});
    }
    sent += 1;
    // RFC 3550's randomised interval, about once a second, after the first few 250 ms apart: a receiver maps RTP time
    // to the wall clock from two reports of a stream, and syncs the streams only then.
    timer = setTimeout(report, sent < FIRST_QUICK_REPORTS ? 250 : 500 + Math.random() * 1000);
  };
  timer = setTimeout(report, 100);
  return {
    stop() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
