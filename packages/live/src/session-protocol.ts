import type { ClientMessage } from '@portrait-farm/contracts';

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
