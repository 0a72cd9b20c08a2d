import { randomInt } from 'node:crypto';
import { H264RtpPacketizer, OpusRtpPacketizer, type AudioPacket, type RtpPacket, type VideoAccessUnit } from '@portrait-farm/live-media';
import { createLiveEncoders, type SessionMediaWriter } from './live-encoders.ts';
import { MediaPacer } from './media-pacer.ts';
import { RtpSendTiming, type RtpSendLateness } from './rtp-send-timing.ts';
import { startSenderReports } from './sender-reports.ts';
import { createSendingPeer, type WebRtcIceOptions } from './webrtc-peer.ts';

/**
 * Seconds between keyframes on WebRTC. LiveVideoEncoder's ffmpeg cannot be asked for an IDR on demand, so a
 * receiver that lost a keyframe (a PLI or FIR) waits for the next one: at most this long.
 */
export const WEBRTC_KEYFRAME_INTERVAL_SECONDS = 1;

/** Options of {@link createWebRtcOutput}. */
export interface WebRtcOutputOptions {
  width: number;
  height: number;
  fps: number;
  ice?: WebRtcIceOptions;
  /** A frame's packets went out (after its sound's). */
  onFrameSent: (slot: number) => void;
}

/** What the output counted, for tests and logs. */
export interface WebRtcOutputCounts {
  videoPackets: number;
  videoBytes: number;
  audioPackets: number;
  audioBytes: number;
  /** Picture loss indications and full intra requests from the receiver. */
  keyframeRequests: number;
  /** How late each stream's packets left against their media time on the session's clock (null before media time 0). */
  sendLateness: { video: RtpSendLateness | null; audio: RtpSendLateness | null };
}

/**
 * A session's frames and sound sent over WebRTC (werift): H.264 access units and Opus packets as RTP on one
 * sendonly peer. The same shape as Fmp4Output, plus the signalling: the offer to send the client, its answer.
 */
export interface WebRtcOutput extends SessionMediaWriter {
  /** The SDP offer, every candidate in it. */
  readonly offer: string;
  /** Takes the client's SDP answer. */
  acceptAnswer(sdp: string): Promise<void>;
  /** Resolves once both encoders run and the peer is connected: the session's clock may start. */
  readonly started: Promise<void>;
  close(): Promise<void>;
  destroy(): Promise<void>;
  counts(): WebRtcOutputCounts;
}

/**
 * Media time 0 on the wall clock is taken from the frames of the first 0.2 s (the earliest any of them went out for
 * its pts): the first frame waits for the connection and goes out late, the next ones on time. Sender reports start
 * after it, so that a browser can line the streams up from the first second.
 */
const CLOCK_SETTLE_SECONDS = 0.2;
/**
 * How long after its media time each packet goes out (ms), both streams: a frame's access unit comes out of x264 a
 * few ms after its time, and the pacer sends both streams on one clock, every packet at its time plus this. Chosen
 * when ffmpeg's Ogg muxer still handed Opus packets out in pairs (the first up to 20 ms late); the in-process encoder
 * hands each out at once, so a smaller delay may do, not measured in Chromium yet (docs/realtime.md, "WebRTC").
 */
export const WEBRTC_SEND_DELAY_MS = 25;
const H264_PAYLOAD_TYPE = 96;
const OPUS_PAYLOAD_TYPE = 111;

/**
 * Each frame's packets go out when its access unit is ready (the worker owns the clock). Media time 0 is when the
 * first frames went out (CLOCK_SETTLE_SECONDS); each Opus packet goes out at its own time on that clock (the sound is coded ahead, at
 * planning), every 20 ms, so a receiver's audio jitter buffer sees an even stream instead of bursts at each frame.
 * RTP timestamps are the frames' pts (90 kHz) and the sound's (48 kHz, pre-skip taken off): one media timeline, which
 * the sender reports (sender-reports.ts) map to the wall clock: what a browser syncs audio and video by.
 */
export async function createWebRtcOutput(options: WebRtcOutputOptions): Promise<WebRtcOutput> {
  const peer = await createSendingPeer(options.ice);
  const { fps } = options;
  const encoders = createLiveEncoders({ width: options.width, height: options.height, fps, keyframeIntervalSeconds: WEBRTC_KEYFRAME_INTERVAL_SECONDS });
  const { video, audio } = encoders;
  const counts: Omit<WebRtcOutputCounts, 'sendLateness'> = { videoPackets: 0, videoBytes: 0, audioPackets: 0, audioBytes: 0, keyframeRequests: 0 };
  const timing = { video: new RtpSendTiming(), audio: new RtpSendTiming() };
  let reports: { stop(): void } | null = null;
  const opus = new OpusRtpPacketizer({ payloadType: OPUS_PAYLOAD_TYPE, ssrc: peer.audio.ssrc, firstSequence: randomInt(0x10000) });
  let h264: H264RtpPacketizer | null = null;
  let preSkip: number | null = null;
  /** performance.now() of media time 0: the earliest the first frames went out for their pts. */
  let mediaStartMs: number | null = null;
  // Every send waits for the connection, then runs in order.
  let sending: Promise<void> = peer.connected.catch(() => {});

  const queue = (task: () => Promise<void>): void => {
    sending = sending.then(task).catch(() => {});
  };
  const sendPackets = async (kind: 'video' | 'audio', packets: RtpPacket[], mediaSeconds: readonly number[]): Promise<void> => {
    for (const [i, packet] of packets.entries()) {
      timing[kind].record(mediaSeconds[i]!, performance.now());
      await peer[kind].sendRtp(packet.bytes);
      counts[`${kind}Packets`] += 1;
      counts[`${kind}Bytes`] += packet.payload.length;
    }
  };
  const sound = new MediaPacer<AudioPacket>({
    delayMs: WEBRTC_SEND_DELAY_MS,
    send: (due) => {
      const packets = due.map(({ item }) => opus.packetize(item.data, item.startSample - (preSkip ?? 0)));
      queue(() => sendPackets('audio', packets, due.map(({ mediaSeconds }) => mediaSeconds)));
    },
  });

  let encodersRunning: () => void = () => {};
  const bothEncoders = Promise.all([
    new Promise<void>((resolve) => (encodersRunning = resolve)),
    new Promise<void>((resolve) => audio.once('header', () => resolve())),
  ]);
  video.on('decoderConfig', (config) => {
    h264 = new H264RtpPacketizer({
      payloadType: H264_PAYLOAD_TYPE,
      ssrc: peer.video.ssrc,
      firstSequence: randomInt(0x10000),
      parameterSets: [...config.sequenceParameterSets, ...config.pictureParameterSets],
    });
    encodersRunning();
  });
  audio.on('header', (head) => (preSkip = head.preSkip));
  const pictures = new MediaPacer<{ index: number; packets: RtpPacket[] }>({
    delayMs: WEBRTC_SEND_DELAY_MS,
    send: (due) => {
      for (const { mediaSeconds, item } of due) {
        queue(async () => {
          await sendPackets('video', item.packets, item.packets.map(() => mediaSeconds));
          options.onFrameSent(item.index);
        });
      }
    },
  });
  let connected = false;
  peer.connected.then(() => (connected = true), () => {});
  /** Media time 0 is the earliest a frame was ready for its pts once the peer is connected. */
  const frameReady = (ptsSeconds: number): void => {
    if (!connected) return;
    const startEstimate = performance.now() - ptsSeconds * 1000;
    if (mediaStartMs === null || (reports === null && startEstimate < mediaStartMs)) {
      mediaStartMs = startEstimate;
      sound.setStart(mediaStartMs);
      pictures.setStart(mediaStartMs);
    }
    if (reports === null && ptsSeconds >= CLOCK_SETTLE_SECONDS) {
      reports = startSenderReports(peer.werift, [
        { sender: peer.video, clockRate: 90_000, cname: peer.cname, counts: () => ({ packets: counts.videoPackets, octets: counts.videoBytes }) },
        { sender: peer.audio, clockRate: 48_000, cname: peer.cname, counts: () => ({ packets: counts.audioPackets, octets: counts.audioBytes }) },
      ], performance.timeOrigin + mediaStartMs);
    }
  };
  video.on('accessUnit', (unit: VideoAccessUnit) => {
    frameReady(unit.ptsSeconds);
    pictures.push(unit.ptsSeconds, { index: unit.index, packets: h264!.packetize(unit.data, unit.ptsSeconds) });
  });
  audio.on('packet', (packet) => sound.push(packet.ptsSeconds, packet));
  peer.video.onPictureLossIndication.subscribe(() => (counts.keyframeRequests += 1));
  peer.video.onRtcp.subscribe((packet) => {
    // A full intra request arrives as a payload-specific feedback message of type 4 (RFC 5104).
    if (packet.type === 206 && 'feedback' in packet && (packet.feedback as { count?: number }).count === 4) counts.keyframeRequests += 1;
  });

  const started = Promise.all([bothEncoders, peer.connected]).then(() => {});
  started.catch(() => {});
  return {
    offer: peer.offer,
    async acceptAnswer(sdp) {
      await peer.connection.setRemoteDescription({ type: 'answer', sdp });
    },
    started,
    writeAudio: encoders.writeAudio,
    writeVideo: encoders.writeVideo,
    async close() {
      await encoders.close();
      pictures.flush();
      sound.flush();
      await sending;
      reports?.stop();
      await peer.connection.close();
    },
    async destroy() {
      await encoders.destroy();
      pictures.stop();
      sound.stop();
      reports?.stop();
      await peer.connection.close();
    },
    counts: () => ({
      ...counts,
      sendLateness: {
        video: mediaStartMs === null ? null : timing.video.lateness(mediaStartMs),
        audio: mediaStartMs === null ? null : timing.audio.lateness(mediaStartMs),
      },
    }),
  };
}
