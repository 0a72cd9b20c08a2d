// The realtime session protocol `portrait-farm-live/1` (docs/realtime.md, "Session protocol"): what the worker's
// session socket and its clients (the demo page, SDKs) say to each other. Types only.

/** p50, p95 and p99 of a list of milliseconds, and how many there were. */
export interface Percentiles {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** Per-stage delays of speech frames, in milliseconds (see docs/realtime.md, "Latency"). */
export interface LatencySummary {
  /** First audio byte of an utterance to its first frame sent. */
  firstFrame: Percentiles;
  /** A frame's last audio sample arriving to the frame sent. */
  audioToFrame: Percentiles;
  /** Stages of that delay: audio -> feature row, row -> motion, motion -> rendered, rendered -> sent. */
  features: Percentiles;
  motion: Percentiles;
  render: Percentiles;
  encodeAndSend: Percentiles;
  /** Frames sent; of them, those held because speech was late, those sent after their due time, and either. */
  frames: number;
  held: number;
  lateSent: number;
  late: number;
}

/**
 * The session WebSocket (docs/realtime.md, "Session protocol"). The client sends PCM16 little-endian mono audio as
 * binary messages at the session's input rate, and these as text.
 */
export type ClientMessage =
  /** The utterance so far is complete: its last frames are made without waiting for more audio. */
  | { type: 'audio_end' }
  /** Barge-in: drop every queued sample and frame of speech. */
  | { type: 'clear' }
  /** What the portrait does while no speech is queued. */
  | { type: 'state'; state: 'idle' | 'listening' }
  /** The answer to the server's `webrtc_offer` (transport `webrtc`), with every candidate in it (no trickle). */
  | { type: 'webrtc_answer'; sdp: string };

/**
 * How a session's picture and sound reach the client, chosen with `transport=` in the stream URL: `fmp4` (the
 * default) as binary WebSocket messages for Media Source Extensions, `webrtc` as RTP on a peer connection whose
 * offer and answer travel on the session socket.
 */
export const LIVE_TRANSPORTS = Object.freeze(['fmp4', 'webrtc'] as const);
export type LiveTransport = (typeof LIVE_TRANSPORTS)[number];

/**
 * Text messages the server sends; binary messages are the fMP4 init segment, then one fragment per frame (transport
 * `fmp4` only). `ready`'s `mimeType` is the SourceBuffer's with `fmp4`, null with `webrtc`.
 */
export type ServerMessage =
  | { type: 'ready'; transport: LiveTransport; mimeType: string | null; fps: number; width: number; height: number; inputSampleRate: number }
  /** The server's SDP offer (transport `webrtc`): sendonly H.264 and Opus in one stream, every candidate in it. */
  | { type: 'webrtc_offer'; sdp: string }
  | { type: 'playback_started'; utterance: number }
  | { type: 'playback_finished'; utterance: number; playback_position: number; interrupted: boolean }
  | { type: 'cleared'; utterance: number | null; playback_position: number }
  | { type: 'stats'; seconds: number; latency: LatencySummary }
  | { type: 'error'; code: SessionErrorCode; message: string }
  | { type: 'closed'; reason: SessionEndReason; seconds_streamed: number };

/**
 * How a session trades delay for lip accuracy (docs/realtime.md, "Latency"): `quality` waits for more audio past each
 * frame (about 445 ms from audio to frame on 2 cores, 88 % of the batch motion's lip closures kept), `low` for less
 * (about 330 ms, 76 %).
 */
export const LIVE_LATENCY_MODES = Object.freeze(['quality', 'low'] as const);
export type LiveLatencyMode = (typeof LIVE_LATENCY_MODES)[number];

/** Why a session ended: the client closed, it was quiet too long or reached its maximum length, it failed, DELETE ended it, its worker shut down. */
export type SessionEndReason = 'client' | 'idle_timeout' | 'max_duration' | 'error' | 'deleted' | 'shutdown';

export type SessionErrorCode = 'SESSION_BAD_MESSAGE' | 'SESSION_BAD_AUDIO' | 'SESSION_FAILED' | 'SESSION_SLOW_CONSUMER' | 'SESSION_WEBRTC_UNAVAILABLE';
