import { ConnectionState, RoomEvent, RpcErrorCode, TrackKind, TrackSource, VideoBufferType } from './double-constants.ts';
import { AudioFrame, AudioSource, LocalAudioTrack, LocalVideoTrack, TrackPublishOptions, VideoFrame, VideoSource } from './double-media.ts';
import { RpcError } from './double-rpc-error.ts';
import { DoubleRoom, DoubleServer } from './room-double.ts';

export { doubleToken, readToken } from './double-token.ts';
export { DoubleByteStreamReader, DoubleByteStreamWriter } from './double-data-stream.ts';
export type { DoubleTokenClaims } from './double-token.ts';
export { DoubleLocalParticipant, DoubleParticipant, DoubleRoom, DoubleServer } from './room-double.ts';
export type { DoubleTrackPublication, RpcRecord } from './room-double.ts';
export { AudioFrame, AudioSource, LocalAudioTrack, LocalVideoTrack, TrackPublishOptions, VideoFrame, VideoSource } from './double-media.ts';
export type { CapturedAudioFrame, CapturedVideoFrame } from './double-media.ts';
export { RpcError } from './double-rpc-error.ts';
export { ConnectionState, MAX_RPC_PAYLOAD_BYTES, RoomEvent, RpcErrorCode, STREAM_CHUNK_BYTES, TrackKind, TrackSource, VideoBufferType } from './double-constants.ts';

/** An in-process LiveKit: a server and an rtc-node-shaped module whose `Room` connects to it. */
export interface RoomDouble {
  server: DoubleServer;
  rtc: {
    Room: new () => DoubleRoom;
    AudioSource: typeof AudioSource;
    VideoSource: typeof VideoSource;
    AudioFrame: typeof AudioFrame;
    VideoFrame: typeof VideoFrame;
    LocalAudioTrack: typeof LocalAudioTrack;
    LocalVideoTrack: typeof LocalVideoTrack;
    TrackPublishOptions: typeof TrackPublishOptions;
    TrackSource: typeof TrackSource;
    TrackKind: typeof TrackKind;
    VideoBufferType: typeof VideoBufferType;
    RoomEvent: typeof RoomEvent;
    ConnectionState: typeof ConnectionState;
    RpcError: typeof RpcError;
    RpcErrorCode: typeof RpcErrorCode;
  };
}

export function createRoomDouble(): RoomDouble {
  const server = new DoubleServer();
  class Room extends DoubleRoom {
    constructor() {
      super(server);
    }
  }
  return {
    server,
    rtc: { Room, AudioSource, VideoSource, AudioFrame, VideoFrame, LocalAudioTrack, LocalVideoTrack, TrackPublishOptions, TrackSource, TrackKind, VideoBufferType, RoomEvent, ConnectionState, RpcError, RpcErrorCode },
  };
}
