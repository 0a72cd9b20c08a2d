import { TrackKind, VideoBufferType } from './double-constants.ts';

/** rtc-node's `AudioFrame`: interleaved PCM16. */
export class AudioFrame {
  readonly data: Int16Array;
  readonly sampleRate: number;
  readonly channels: number;
  readonly samplesPerChannel: number;

  constructor(data: Int16Array, sampleRate: number, channels: number, samplesPerChannel: number) {
    if (data.length !== channels * samplesPerChannel) {
      throw new Error(`an audio frame of ${String(samplesPerChannel)} samples x ${String(channels)} channels holds ${String(channels * samplesPerChannel)} values. Passed: ${String(data.length)}`);
    }
    this.data = data;
    this.sampleRate = sampleRate;
    this.channels = channels;
    this.samplesPerChannel = samplesPerChannel;
  }
}

/** rtc-node's `VideoFrame` (the double knows I420 only). */
export class VideoFrame {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly type: number;

  constructor(data: Uint8Array, width: number, height: number, type: number) {
    if (type !== VideoBufferType.I420) throw new Error(`the room double carries I420 video frames (${String(VideoBufferType.I420)}). Passed: ${String(type)}`);
    const expected = width * height + 2 * (Math.ceil(width / 2) * Math.ceil(height / 2));
    if (data.length !== expected) throw new Error(`an I420 frame of ${String(width)}x${String(height)} has ${String(expected)} bytes. Passed: ${String(data.length)}`);
    this.data = data;
    this.width = width;
    this.height = height;
    this.type = type;
  }
}

/** A frame as the other participants of the double receive it, with when it was captured (performance.now()). */
export interface CapturedAudioFrame {
  samples: Int16Array;
  sampleRate: number;
  channels: number;
  at: number;
}

export interface CapturedVideoFrame {
  data: Uint8Array;
  width: number;
  height: number;
  timestampUs: bigint;
  at: number;
}

type Listener<T> = (frame: T) => void;

/** rtc-node's `AudioSource`: frames must match its rate and channels; captured frames are kept for the test. */
export class AudioSource {
  readonly sampleRate: number;
  readonly numChannels: number;
  readonly queueSize: number;
  closed = false;
  readonly captured: CapturedAudioFrame[] = [];
  private readonly listeners: Listener<CapturedAudioFrame>[] = [];

  constructor(sampleRate: number, numChannels: number, queueSize = 1000) {
    this.sampleRate = sampleRate;
    this.numChannels = numChannels;
    this.queueSize = queueSize;
  }

  async captureFrame(frame: AudioFrame): Promise<void> {
    if (this.closed) throw new Error('the audio source is closed');
    if (frame.sampleRate !== this.sampleRate || frame.channels !== this.numChannels) {
      throw new Error(`the audio source takes ${String(this.sampleRate)} Hz x ${String(this.numChannels)}. Passed: ${String(frame.sampleRate)} Hz x ${String(frame.channels)}`);
    }
    const captured = { samples: frame.data.slice(), sampleRate: frame.sampleRate, channels: frame.channels, at: performance.now() };
    this.captured.push(captured);
    for (const listener of this.listeners) listener(captured);
  }

  onFrame(listener: Listener<CapturedAudioFrame>): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** rtc-node's `VideoSource`: frames must have its size; captured frames are kept for the test. */
export class VideoSource {
  readonly width: number;
  readonly height: number;
  closed = false;
  readonly captured: CapturedVideoFrame[] = [];
  private readonly listeners: Listener<CapturedVideoFrame>[] = [];

  constructor(width: number, height: number) {
    this.width = width;
    this.height = height;
  }

  captureFrame(frame: VideoFrame, timestampUs = 0n): void {
    if (this.closed) throw new Error('the video source is closed');
    if (frame.width !== this.width || frame.height !== this.height) {
      throw new Error(`the video source takes ${String(this.width)}x${String(this.height)}. Passed: ${String(frame.width)}x${String(frame.height)}`);
    }
    const captured = { data: frame.data.slice(), width: frame.width, height: frame.height, timestampUs, at: performance.now() };
    this.captured.push(captured);
    for (const listener of this.listeners) listener(captured);
  }

  onFrame(listener: Listener<CapturedVideoFrame>): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

let nextTrackSid = 1;

/** rtc-node's local tracks: a name, a kind and the source they carry. */
export class LocalAudioTrack {
  readonly sid = `TR_AUDIO_${String(nextTrackSid++)}`;
  readonly kind = TrackKind.KIND_AUDIO;

  private constructor(
    readonly name: string,
    readonly source: AudioSource,
  ) {}

  static createAudioTrack(name: string, source: AudioSource): LocalAudioTrack {
    return new LocalAudioTrack(name, source);
  }
}

export class LocalVideoTrack {
  readonly sid = `TR_VIDEO_${String(nextTrackSid++)}`;
  readonly kind = TrackKind.KIND_VIDEO;

  private constructor(
    readonly name: string,
    readonly source: VideoSource,
  ) {}

  static createVideoTrack(name: string, source: VideoSource): LocalVideoTrack {
    return new LocalVideoTrack(name, source);
  }
}

/** rtc-node's `TrackPublishOptions` (the fields the double reads). */
export class TrackPublishOptions {
  readonly source: number;

  constructor(init: { source?: number } = {}) {
    this.source = init.source ?? 0;
  }
}
