// The microphone's audio thread: hands each 128-sample block of the first channel to the page.

declare abstract class AudioWorkletProcessor {
  readonly port: MessagePort;
  abstract process(inputs: Float32Array[][]): boolean;
}
declare function registerProcessor(name: string, processor: new () => AudioWorkletProcessor): void;

class CaptureProcessor extends AudioWorkletProcessor {
  process(inputs: Float32Array[][]): boolean {
    const channel = inputs[0]?.[0];
    if (channel !== undefined && channel.length > 0) this.port.postMessage(channel.slice());
    return true;
  }
}

registerProcessor('pcm-capture', CaptureProcessor);
