import { describe, expect, it } from 'vitest';
import { parseClientMessage, parseTransport } from './session-protocol.ts';

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
    expect(parseClientMessage('{"type":"pause"}')).toEqual({ error: '"type" must be one of audio_end, clear, state, webrtc_answer. Passed: "pause"' });
    expect(parseClientMessage('{}')).toEqual({ error: '"type" must be one of audio_end, clear, state, webrtc_answer. Passed: undefined' });
    expect(parseClientMessage('{"type":"state"}')).toEqual({ error: '"state" must be "idle" or "listening". Passed: undefined' });
  });

  it('takes a WebRTC answer and names what is wrong with a bad one', () => {
    const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n';
    expect(parseClientMessage(JSON.stringify({ type: 'webrtc_answer', sdp }))).toEqual({ type: 'webrtc_answer', sdp });
    expect(parseClientMessage('{"type":"webrtc_answer"}')).toEqual({ error: '"sdp" must be the SDP answer, a string starting with "v=0". Passed: undefined' });
    expect(parseClientMessage('{"type":"webrtc_answer","sdp":"hello"}')).toEqual({ error: '"sdp" must be the SDP answer, a string starting with "v=0". Passed: "hello"' });
  });
});

describe('parseTransport', () => {
  it('defaults to fmp4, takes webrtc, and names the choices otherwise', () => {
    expect(parseTransport(null)).toBe('fmp4');
    expect(parseTransport('')).toBe('fmp4');
    expect(parseTransport('fmp4')).toBe('fmp4');
    expect(parseTransport('webrtc')).toBe('webrtc');
    expect(parseTransport('rtmp')).toEqual({ error: 'transport must be one of fmp4, webrtc. Passed: "rtmp"' });
  });
});
