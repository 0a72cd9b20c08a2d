import { describe, expect, it } from 'vitest';
import { publicMessage } from './public-message.ts';

describe('publicMessage', () => {
  it('names files without the worker\'s temporary folders', () => {
    expect(publicMessage('/tmp/pf-work-a1B2/audio.wav: audio must be at least 0.5 s long. Passed: 0.100 s')).toBe(
      'audio.wav: audio must be at least 0.5 s long. Passed: 0.100 s',
    );
  });

  it('drops ffmpeg\'s raw stderr after the exit it describes', () => {
    const raw = 'Decoding audio of /var/tmp/pf-x/job_1/audio.wav failed: ffmpeg exited with code 1: [wav @ 0x55d4] Invalid sample rate\n/var/tmp/pf-x/job_1/audio.wav: Invalid data';
    expect(publicMessage(raw)).toBe('Decoding audio of audio.wav failed: ffmpeg exited with code 1');
    expect(publicMessage('Encoding chunk-3.ts failed: ffmpeg was killed by SIGKILL: last lines')).toBe('Encoding chunk-3.ts failed: ffmpeg was killed by SIGKILL');
  });

  it('leaves URLs, keys and plain messages alone', () => {
    const text = 'jobs/job_01/input/image.png is missing; see https://example.com/docs/errors';
    expect(publicMessage(text)).toBe(text);
  });
});
