/**
 * The values of rtc-node's enums and event names that the room double reproduces (checked against the installed
 * @livekit/rtc-node by `room-double.test.ts`).
 */
export const RoomEvent = {
  ParticipantConnected: 'participantConnected',
  ParticipantDisconnected: 'participantDisconnected',
  LocalTrackPublished: 'localTrackPublished',
  TrackPublished: 'trackPublished',
  TrackSubscribed: 'trackSubscribed',
  ConnectionStateChanged: 'connectionStateChanged',
  Connected: 'connected',
  Disconnected: 'disconnected',
} as const;

export const ConnectionState = { CONN_DISCONNECTED: 0, CONN_CONNECTED: 1, CONN_RECONNECTING: 2 } as const;
export const TrackKind = { KIND_UNKNOWN: 0, KIND_AUDIO: 1, KIND_VIDEO: 2 } as const;
export const TrackSource = { SOURCE_UNKNOWN: 0, SOURCE_CAMERA: 1, SOURCE_MICROPHONE: 2 } as const;
export const VideoBufferType = { I420: 5 } as const;

/** rtc-node's `RpcError.ErrorCode`. */
export const RpcErrorCode = {
  APPLICATION_ERROR: 1500,
  CONNECTION_TIMEOUT: 1501,
  RESPONSE_TIMEOUT: 1502,
  RECIPIENT_DISCONNECTED: 1503,
  RESPONSE_PAYLOAD_TOO_LARGE: 1504,
  SEND_FAILED: 1505,
  UNSUPPORTED_METHOD: 1400,
  RECIPIENT_NOT_FOUND: 1401,
  REQUEST_PAYLOAD_TOO_LARGE: 1402,
  UNSUPPORTED_SERVER: 1403,
} as const;

/** The largest RPC request or response payload (bytes), as LiveKit's RPC limits it. */
export const MAX_RPC_PAYLOAD_BYTES = 15 * 1024;
/** A byte stream's writes arrive in chunks of at most this many bytes (LiveKit's data stream chunk size). */
export const STREAM_CHUNK_BYTES = 15_000;
/** How long an RPC waits for its answer when the caller names no timeout (ms). */
export const DEFAULT_RPC_RESPONSE_TIMEOUT_MS = 10_000;
