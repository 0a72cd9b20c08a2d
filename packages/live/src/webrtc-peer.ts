import type { RTCPeerConnection, RTCRtpSender } from 'werift';

/** Where a worker's WebRTC peer listens: what a deployment sets so browsers can reach it (docs/realtime.md, "WebRTC"). */
export interface WebRtcIceOptions {
  /**
   * Addresses offered as host candidates besides the machine's own interfaces: 127.0.0.1 for a browser on the same
   * machine, the public address of a worker behind 1:1 NAT.
   * @defaultValue []
   */
  hostAddresses?: readonly string[];
  /**
   * The UDP ports the peer binds, inclusive (a firewall opens these); null: any free port.
   * @defaultValue null
   */
  portRange?: readonly [number, number] | null;
  /**
   * How long the client has to answer and connect after the offer (ms).
   * @defaultValue 15 000
   */
  connectTimeoutMs?: number;
}

/** H.264 constrained baseline level 3.1, packetization mode 1 (FU-A), as every browser's WebRTC decodes it. */
const H264_FMTP = 'profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1';

/** A server's sending peer: one sendonly H.264 track and one Opus track in one stream (so a browser syncs them). */
export interface SendingPeer {
  /** The werift module, imported when the peer was made. */
  werift: typeof import('werift');
  connection: RTCPeerConnection;
  /** The RTCP CNAME the offer gives both streams. */
  cname: string;
  video: RTCRtpSender;
  audio: RTCRtpSender;
  /** The offer with every host candidate in it (gathering completes before it is made: no trickle). */
  offer: string;
  /** Resolves once DTLS is up and media can flow; rejects when the client does not connect in time. */
  connected: Promise<void>;
}

/** The major version of the Node.js running this process. */
export function nodeMajorVersion(): number {
  return Number(process.versions.node.split('.')[0]);
}

/** Why WebRTC cannot run in this process, or null when it can (werift needs Node.js >= 22). */
export function webRtcUnavailableReason(): string | null {
  const major = nodeMajorVersion();
  return major >= 22 ? null : `WebRTC needs Node.js >= 22 on the worker (werift); this worker runs Node.js ${process.versions.node}`;
}

/** Creates the peer and its offer. werift is imported here, only when a client asked for WebRTC. */
export async function createSendingPeer(options: WebRtcIceOptions = {}): Promise<SendingPeer> {
  const unavailable = webRtcUnavailableReason();
  if (unavailable !== null) throw new Error(unavailable);
  const portRange = options.portRange ?? null;
  if (portRange !== null && !(Number.isInteger(portRange[0]) && Number.isInteger(portRange[1]) && portRange[0] >= 1024 && portRange[0] <= portRange[1] && portRange[1] <= 65535)) {
    throw new RangeError(`portRange must be two integer ports, 1024 <= first <= last <= 65535. Passed: ${JSON.stringify(portRange)}`);
  }
  const connectTimeoutMs = options.connectTimeoutMs ?? 15_000;
  const werift = await import('werift');
  const connection = new werift.RTCPeerConnection({
    codecs: {
      video: [
        new werift.RTCRtpCodecParameters({
          mimeType: 'video/H264',
          clockRate: 90_000,
          rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
          parameters: H264_FMTP,
        }),
      ],
      audio: [new werift.RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48_000, channels: 2 })],
    },
    iceAdditionalHostAddresses: [...(options.hostAddresses ?? [])],
    ...(portRange === null ? {} : { icePortRange: [portRange[0], portRange[1]] as [number, number] }),
  });
  const stream = new werift.MediaStream();
  const video = connection.addTransceiver('video', { direction: 'sendonly', streams: [stream] }).sender;
  const audio = connection.addTransceiver('audio', { direction: 'sendonly', streams: [stream] }).sender;
  // werift starts its sender reports at a sender's first packet unless it thinks they run: they are wrong in 0.25.2
  // and sender-reports.ts sends them instead.
  video.rtcpRunning = true;
  audio.rtcpRunning = true;
  await connection.setLocalDescription(await connection.createOffer());
  if (connection.iceGatheringState !== 'complete') await connection.iceGatheringStateChange.watch((state) => state === 'complete');
  const offer = connection.localDescription?.sdp;
  if (offer === undefined) throw new Error('werift made no local description');
  const cname = new RegExp(`a=ssrc:${video.ssrc} cname:(\\S+)`).exec(offer)?.[1];
  if (cname === undefined) throw new Error(`werift's offer gives the video's SSRC ${video.ssrc} no cname`);
  const connected = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`the WebRTC connection did not open within ${connectTimeoutMs} ms (connection ${connection.connectionState}, ICE ${connection.iceConnectionState})`));
    }, connectTimeoutMs);
    const check = (state: string): void => {
      if (state === 'connected') {
        clearTimeout(timer);
        resolve();
      } else if (state === 'failed' || state === 'closed') {
        clearTimeout(timer);
        reject(new Error(`the WebRTC connection ${state} before media flowed (ICE ${connection.iceConnectionState})`));
      }
    };
    connection.connectionStateChange.subscribe(check);
  });
  connected.catch(() => {});
  return { werift, connection, cname, video, audio, offer, connected };
}
