export {
  AUDIO_STREAM_TOPIC,
  AVATAR_AUDIO_TRACK,
  AVATAR_VIDEO_TRACK,
  NUM_CHANNELS_ATTRIBUTE,
  playbackFinishedPayload,
  PUBLISH_ON_BEHALF_ATTRIBUTE,
  RPC_CLEAR_BUFFER,
  RPC_PLAYBACK_FINISHED,
  RPC_PLAYBACK_STARTED,
  SAMPLE_RATE_ATTRIBUTE,
} from './avatar-protocol.ts';
export type { PlaybackFinishedPayload } from './avatar-protocol.ts';
export { startLiveKitAvatar } from './livekit-avatar.ts';
export type { AvatarSessionHandlers, LiveKitAvatar, LiveKitAvatarEnd, LiveKitAvatarOptions } from './livekit-avatar.ts';
export { LiveKitAvatarError } from './livekit-avatar-error.ts';
export type { LiveKitAvatarErrorCode } from './livekit-avatar-error.ts';
export type * from './livekit-surface.ts';
export { loadRtcNode } from './rtc-node-surface.ts';
export { createSegmentAudio, segmentFormat } from './segment-audio.ts';
export type { SegmentAudio, SegmentFormat } from './segment-audio.ts';
