import { LIVE_TRANSPORTS, type ClientMessage, type LiveTransport } from '@portrait-farm/contracts';

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
    case 'webrtc_answer':
      if (typeof message['sdp'] === 'string' && message['sdp'].startsWith('v=0')) return { type: 'webrtc_answer', sdp: message['sdp'] };
      return { error: `"sdp" must be the SDP answer, a string starting with "v=0". Passed: ${JSON.stringify(message['sdp'])?.slice(0, 40)}` };
    default:
      return { error: `"type" must be one of audio_end, clear, state, webrtc_answer. Passed: ${JSON.stringify(message['type'])}` };
  }
}

/** The transport a client asked for in the stream URL (`transport=`; absent: fmp4), or what is wrong with it. */
export function parseTransport(value: string | null | undefined): LiveTransport | { error: string } {
  if (value === null || value === undefined || value === '') return 'fmp4';
  const known = LIVE_TRANSPORTS.find((transport) => transport === value);
  return known ?? { error: `transport must be one of ${LIVE_TRANSPORTS.join(', ')}. Passed: ${JSON.stringify(value)}` };
}
