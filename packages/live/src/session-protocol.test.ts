import { describe, expect, it } from 'vitest';
import { parseClientMessage } from './session-protocol.ts';

describe('parseClientMessage', () => {
  it('takes the three client messages', () => {
    expect(parseClientMessage('{"type":"audio_end"}')).toEqual({ type: 'audio_end' });
    expect(parseClientMessage('{"type":"clear","extra":1}')).toEqual({ type: 'clear' });
    expect(parseClientMessage('{"type":"state","state":"listening"}')).toEqual({ type: 'state', state: 'listening' });
    expect(parseClientMessage('{"type":"state","state":"idle"}')).toEqual({ type: 'state', state: 'idle' });
  });

  it('says what is wrong with anything else', () => {
    expect(parseClientMessage('audio_end')).toEqual({ error: 'a text message must be JSON, e.g. {"type":"audio_end"}' });
    expect(parseClientMessage('[1]')).toEqual({ error: 'a text message must be a JSON object with a "type"' });
    expect(parseClientMessage('null')).toEqual({ error: 'a text message must be a JSON object with a "type"' });
    expect(parseClientMessage('{"type":"pause"}')).toEqual({ error: '"type" must be one of audio_end, clear, state. Passed: "pause"' });
    expect(parseClientMessage('{}')).toEqual({ error: '"type" must be one of audio_end, clear, state. Passed: undefined' });
    expect(parseClientMessage('{"type":"state"}')).toEqual({ error: '"state" must be "idle" or "listening". Passed: undefined' });
  });
});
