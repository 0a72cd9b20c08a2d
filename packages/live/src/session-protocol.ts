import type { LatencySummary } from './latency-stats.ts';

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
  | { type: 'state'; state: 'idle' | 'listening' };

/** Text messages the server sends; binary messages are the fMP4 init segment, then one fragment per frame. */
export type ServerMessage =
  | { type: 'ready'; mimeType: string; fps: number; width: number; height: number; inputSampleRate: number }
  | { type: 'playback_started'; utterance: number }
  | { type: 'playback_finished'; utterance: number; playback_position: number; interrupted: boolean }
  | { type: 'cleared'; utterance: number | null; playback_position: number }
  | { type: 'stats'; seconds: number; latency: LatencySummary }
  | { type: 'error'; code: SessionErrorCode; message: string }
  | { type: 'closed'; reason: SessionEndReason; seconds_streamed: number };

export type SessionEndReason = 'client' | 'idle_timeout' | 'max_duration' | 'error' | 'server';

export type SessionErrorCode = 'SESSION_BAD_MESSAGE' | 'SESSION_BAD_AUDIO' | 'SESSION_FAILED' | 'SESSION_SLOW_CONSUMER';

const STATES = new Set(['idle', 'listening']);

/** Parses a text message from the client, or says what is wrong with it. */
export function parseClientMessage(text: string): ClientMessage | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'a text message must be JSON, e.g. {"type":"audio_end"}' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'a text message must be a JSON object with a "type"' };
  const message = value as Record<string, unknown>;
  switch (message['type']) {
    case 'audio_end':
    case 'clear':
      return { type: message['type'] };
    case 'state':
      if (typeof message['state'] === 'string' && STATES.has(message['state'])) return { type: 'state', state: message['state'] as 'idle' | 'listening' };
      return { error: `"state" must be "idle" or "listening". Passed: ${JSON.stringify(message['state'])}` };
    default:
      return { error: `"type" must be one of audio_end, clear, state. Passed: ${JSON.stringify(message['type'])}` };
  }
}
