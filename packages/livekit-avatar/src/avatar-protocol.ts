/**
 * The names of LiveKit's avatar protocol, as @livekit/agents 1.9.0 (`voice/avatar/datastream_io`) uses them: the
 * agent streams its speech to the avatar participant and interrupts it by RPC; the avatar reports playback by RPC
 * and publishes its tracks on the agent's behalf.
 */

/** Byte streams agent -> avatar, one per segment of speech: PCM16 little-endian; the stream's end ends the segment. */
export const AUDIO_STREAM_TOPIC = 'lk.audio_stream';
/** RPC agent -> avatar: drop the queued speech (barge-in). Empty payload. */
export const RPC_CLEAR_BUFFER = 'lk.clear_buffer';
/** RPC avatar -> agent: a segment's first frame is out. The agent reads no payload. */
export const RPC_PLAYBACK_STARTED = 'lk.playback_started';
/** RPC avatar -> agent: a segment is over, `{"playback_position": seconds, "interrupted": boolean}`. */
export const RPC_PLAYBACK_FINISHED = 'lk.playback_finished';
/** The byte stream attributes that give the audio's format. */
export const SAMPLE_RATE_ATTRIBUTE = 'sample_rate';
export const NUM_CHANNELS_ATTRIBUTE = 'num_channels';
/** The avatar's tracks. */
export const AVATAR_VIDEO_TRACK = 'avatar_video';
export const AVATAR_AUDIO_TRACK = 'avatar_audio';
/** The token attribute naming the participant an avatar publishes for. */
export const PUBLISH_ON_BEHALF_ATTRIBUTE = 'lk.publish_on_behalf';

/** The payload of {@link RPC_PLAYBACK_FINISHED}. */
export interface PlaybackFinishedPayload {
  playback_position: number;
  interrupted: boolean;
}

export function playbackFinishedPayload(positionSeconds: number, interrupted: boolean): string {
  const payload: PlaybackFinishedPayload = { playback_position: positionSeconds, interrupted };
  return JSON.stringify(payload);
}
