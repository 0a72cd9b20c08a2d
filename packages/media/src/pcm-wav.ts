/**
 * A RIFF/WAVE file of 16-bit mono PCM. `declaredRate` is the sample rate written in the header (a test may make it
 * lie); the byte rate follows it.
 */
export function pcm16Wav(samples: Int16Array, sampleRate: number, declaredRate: number = sampleRate): Buffer {
  const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(declaredRate >>> 0, 24);
  header.writeUInt32LE((declaredRate * 2) >>> 0, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** `seconds` of a sine tone (`amplitude` of 32767; 0 gives digital silence) as 16-bit samples. */
export function toneSamples(seconds: number, sampleRate: number, hz = 220, amplitude = 8000): Int16Array {
  const samples = new Int16Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < samples.length; i += 1) samples[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / sampleRate));
  return samples;
}
