import { ChunkCutter, SESSION_RATE, StreamResampler } from './pcm16.ts';

/** Where a source's 20 ms PCM16 chunks go. */
export type ChunkSink = (chunk: Uint8Array<ArrayBuffer>) => void;

/** The microphone, captured on the audio thread, resampled to 16 kHz and cut into 20 ms chunks as it arrives. */
export async function startMicrophone(sink: ChunkSink, workletUrl: string): Promise<{ stop(): void }> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true } });
  const context = new AudioContext();
  await context.audioWorklet.addModule(workletUrl);
  const input = context.createMediaStreamSource(stream);
  const capture = new AudioWorkletNode(context, 'pcm-capture');
  const resampler = new StreamResampler(context.sampleRate);
  const cutter = new ChunkCutter();
  capture.port.onmessage = (event: MessageEvent<Float32Array>) => {
    for (const chunk of cutter.push(resampler.push(event.data))) sink(chunk);
  };
  input.connect(capture);
  return {
    stop() {
      const rest = cutter.flush();
      if (rest !== null) sink(rest);
      input.disconnect();
      capture.disconnect();
      for (const track of stream.getTracks()) track.stop();
      void context.close();
    },
  };
}

/** An audio file decoded by the browser and resampled to 16 kHz mono. */
export async function decodeAudioFile(file: Blob): Promise<Float32Array> {
  const bytes = await file.arrayBuffer();
  const probe = new AudioContext();
  const decoded = await probe.decodeAudioData(bytes);
  void probe.close();
  const frames = Math.ceil(decoded.duration * SESSION_RATE);
  const offline = new OfflineAudioContext(1, frames, SESSION_RATE);
  const source = offline.createBufferSource();
  source.buffer = decoded;
  source.connect(offline.destination);
  source.start();
  return (await offline.startRendering()).getChannelData(0);
}

/**
 * Sends 16 kHz samples as 20 ms chunks in real time, as a voice agent's speech arrives; resolves when all are sent
 * (or `signal` aborts).
 */
export async function sendPaced(samples: Float32Array, sink: ChunkSink, signal: AbortSignal): Promise<void> {
  const cutter = new ChunkCutter();
  const chunks = cutter.push(samples);
  const rest = cutter.flush();
  if (rest !== null) chunks.push(rest);
  const start = performance.now();
  for (const [i, chunk] of chunks.entries()) {
    if (signal.aborted) return;
    const due = start + i * 20;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sink(chunk);
  }
}
