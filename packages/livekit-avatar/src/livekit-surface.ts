/**
 * The part of @livekit/rtc-node an avatar participant uses, as structural types: the real module satisfies them
 * (see `rtc-node-surface.ts`), and so does the in-process room double of `@portrait-farm/livekit-avatar/testing`.
 */

/** rtc-node's `RpcInvocationData`. */
export interface RpcInvocation {
  requestId: string;
  callerIdentity: string;
  payload: string;
  responseTimeout: number;
}

/** rtc-node's `PerformRpcParams`. */
export interface RpcCall {
  destinationIdentity: string;
  method: string;
  payload: string;
  responseTimeout?: number;
}

/** rtc-node's `ByteStreamInfo`. */
export interface ByteStreamInfoLike {
  streamId: string;
  name: string;
  topic: string;
  mimeType: string;
  timestamp: number;
  totalSize?: number;
  attributes?: Record<string, string>;
}

/** rtc-node's `ByteStreamReader`: the stream's chunks as they arrive; iteration ends with the stream. */
export interface ByteStreamReaderLike extends AsyncIterable<Uint8Array> {
  readonly info: ByteStreamInfoLike;
}

export type ByteStreamHandlerLike = (reader: ByteStreamReaderLike, participantInfo: { identity: string }) => void;

export interface LocalTrackLike {
  readonly name: string | undefined;
}

export interface LocalParticipantLike {
  readonly identity: string;
  registerRpcMethod(method: string, handler: (data: RpcInvocation) => Promise<string>): void;
  performRpc(params: RpcCall): Promise<string>;
  publishTrack(track: LocalTrackLike, options: unknown): Promise<unknown>;
}

/** rtc-node's `Room`, the part an avatar uses. */
export interface RoomLike {
  readonly isConnected: boolean;
  readonly localParticipant?: LocalParticipantLike;
  connect(url: string, token: string, options?: { autoSubscribe: boolean; dynacast: boolean }): Promise<void>;
  disconnect(): Promise<void>;
  registerByteStreamHandler(topic: string, handler: ByteStreamHandlerLike): void;
  on(event: 'participantDisconnected', listener: (participant: { identity: string }) => void): unknown;
  on(event: 'disconnected', listener: () => void): unknown;
}

export interface AudioFrameLike {
  readonly data: Int16Array;
  readonly sampleRate: number;
  readonly channels: number;
  readonly samplesPerChannel: number;
}

export interface VideoFrameLike {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

export interface AudioSourceLike {
  captureFrame(frame: AudioFrameLike): Promise<void>;
  close(): Promise<void>;
}

export interface VideoSourceLike {
  captureFrame(frame: VideoFrameLike, timestampUs?: bigint): void;
  close(): Promise<void>;
}

/** The constructors and enums of rtc-node an avatar uses. */
export interface LiveKitRtc {
  Room: new () => RoomLike;
  AudioSource: new (sampleRate: number, numChannels: number, queueSize?: number) => AudioSourceLike;
  VideoSource: new (width: number, height: number) => VideoSourceLike;
  AudioFrame: new (data: Int16Array, sampleRate: number, channels: number, samplesPerChannel: number) => AudioFrameLike;
  VideoFrame: new (data: Uint8Array, width: number, height: number, type: number) => VideoFrameLike;
  LocalAudioTrack: { createAudioTrack(name: string, source: AudioSourceLike): LocalTrackLike };
  LocalVideoTrack: { createVideoTrack(name: string, source: VideoSourceLike): LocalTrackLike };
  TrackPublishOptions: new (init: { source: number }) => unknown;
  TrackSource: { readonly SOURCE_CAMERA: number; readonly SOURCE_MICROPHONE: number };
  VideoBufferType: { readonly I420: number };
}
