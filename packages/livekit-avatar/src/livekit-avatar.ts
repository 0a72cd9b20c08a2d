import type { LiveEvent, LiveFrame, LiveSession } from '@portrait-farm/live';
import {
  AUDIO_STREAM_TOPIC,
  AVATAR_AUDIO_TRACK,
  AVATAR_VIDEO_TRACK,
  playbackFinishedPayload,
  RPC_CLEAR_BUFFER,
  RPC_PLAYBACK_FINISHED,
  RPC_PLAYBACK_STARTED,
} from './avatar-protocol.ts';
import type { ByteStreamReaderLike, LiveKitRtc, LocalParticipantLike, RoomLike } from './livekit-surface.ts';
import { LiveKitAvatarError } from './livekit-avatar-error.ts';
import { createSegmentAudio, segmentFormat } from './segment-audio.ts';

/** The session's sound: 16 kHz mono, as packages/live hands it out. */
const SESSION_SAMPLE_RATE = 16000;

/** What the avatar gives the session it starts: it publishes the frames and relays the events. */
export interface AvatarSessionHandlers {
  onFrame(frame: LiveFrame): Promise<void>;
  onEvent(event: LiveEvent): void;
}

/** Options of {@link startLiveKitAvatar}. */
export interface LiveKitAvatarOptions {
  /** @livekit/rtc-node (`loadRtcNode()`) or the room double of `@portrait-farm/livekit-avatar/testing`. */
  rtc: LiveKitRtc;
  /** The LiveKit server (`wss://...`). */
  url: string;
  /** The avatar's access token (its identity, the room, `lk.publish_on_behalf` = the agent's identity). */
  token: string;
  /** The agent participant whose speech the avatar plays and whose RPCs it answers. */
  agentIdentity: string;
  /** The pictures' size (yuv420p, even sides). */
  width: number;
  height: number;
  /** Starts the realtime session whose frames the avatar publishes. */
  startSession(handlers: AvatarSessionHandlers): Promise<LiveSession>;
  /** Where protocol problems are reported (a bad stream, a failed RPC). @defaultValue nothing */
  log?: (message: string) => void;
}

/** Why an avatar stopped. */
export type LiveKitAvatarEnd = 'closed' | 'agent_left' | 'disconnected' | 'failed';

/** A session playing in a LiveKit room. */
export interface LiveKitAvatar {
  readonly room: RoomLike;
  readonly session: LiveSession;
  /** Ends the session and leaves the room. */
  close(): Promise<void>;
  /** Resolves when the avatar stops: closed, the agent left the room, the room was lost, or the session failed. */
  readonly ended: Promise<LiveKitAvatarEnd>;
}

/** One `lk.audio_stream`: one segment of the agent's speech, one utterance of the session once its audio arrives. */
interface Segment {
  utterance: number | null;
  started: boolean;
  finished: boolean;
}

/**
 * Joins the room as the agent's avatar: the agent's audio streams become utterances of the session, `lk.clear_buffer`
 * clears it, playback is reported to the agent by RPC, and every frame goes out on `avatar_video` (I420, at the
 * frame's time) and `avatar_audio` (16 kHz mono).
 */
export async function startLiveKitAvatar(options: LiveKitAvatarOptions): Promise<LiveKitAvatar> {
  const { rtc, agentIdentity, width, height } = options;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0 || width % 2 !== 0 || height % 2 !== 0) {
    throw new LiveKitAvatarError('LIVEKIT_AVATAR_BAD_OPTIONS', `width and height must be positive even integers. Passed: ${String(width)}x${String(height)}`);
  }
  if (agentIdentity.length === 0) throw new LiveKitAvatarError('LIVEKIT_AVATAR_BAD_OPTIONS', 'agentIdentity must name the agent participant. Passed: an empty string');
  const log = options.log ?? ((): void => {});
  const pictureBytes = (width * height * 3) / 2;
  const room = new rtc.Room();
  const videoSource = new rtc.VideoSource(width, height);
  const audioSource = new rtc.AudioSource(SESSION_SAMPLE_RATE, 1);

  const segments: Segment[] = [];
  let utterancesOpened = 0;
  let participant: LocalParticipantLike | null = null;
  let reports: Promise<void> = Promise.resolve();
  // Reports go out one after another, so the agent hears a segment's start before its end.
  const report = (method: string, payload: string): void => {
    reports = reports.then(async () => {
      if (participant === null || !room.isConnected) return;
      try {
        await participant.performRpc({ destinationIdentity: agentIdentity, method, payload });
      } catch (error) {
        log(`${method} to ${agentIdentity} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  };
  const finish = (segment: Segment, positionSeconds: number, interrupted: boolean): void => {
    if (segment.finished) return;
    segment.finished = true;
    report(RPC_PLAYBACK_FINISHED, playbackFinishedPayload(positionSeconds, interrupted));
  };

  let sessionFailed: () => void = () => {};
  const failure = new Promise<void>((resolve) => (sessionFailed = resolve));

  const handlers: AvatarSessionHandlers = {
    async onFrame(frame) {
      if (frame.picture.length !== pictureBytes) {
        throw new LiveKitAvatarError('LIVEKIT_AVATAR_BAD_OPTIONS', `a ${String(width)}x${String(height)} yuv420p picture has ${String(pictureBytes)} bytes. Received: ${String(frame.picture.length)}`);
      }
      videoSource.captureFrame(new rtc.VideoFrame(frame.picture, width, height, rtc.VideoBufferType.I420), BigInt(Math.round(frame.pts * 1_000_000)));
      await audioSource.captureFrame(new rtc.AudioFrame(toPcm16(frame.audio), SESSION_SAMPLE_RATE, 1, frame.audio.length));
    },
    onEvent(event) {
      if (event.type === 'error') {
        log(`session: ${event.message}`);
        sessionFailed();
        return;
      }
      const segment = segments.find((s) => s.utterance === event.utterance);
      if (segment === undefined) return;
      if (event.type === 'playback_started' && !segment.started) {
        segment.started = true;
        report(RPC_PLAYBACK_STARTED, '{}');
      }
      if (event.type === 'playback_finished') finish(segment, event.positionSeconds, event.interrupted);
    },
  };
  let session: LiveSession;
  try {
    session = await options.startSession(handlers);
  } catch (error) {
    await Promise.all([videoSource.close(), audioSource.close()]);
    throw error;
  }

  let intake: Promise<void> = Promise.resolve();
  const readSegment = async (reader: ByteStreamReaderLike, segment: Segment): Promise<void> => {
    let audio;
    try {
      audio = createSegmentAudio(segmentFormat(reader.info.attributes));
    } catch (error) {
      log(error instanceof Error ? error.message : String(error));
      for await (const _ of reader) void _;
      finish(segment, 0, false);
      return;
    }
    // A segment cleared while it arrives has been reported: the rest of its audio is dropped.
    const push = (samples: Float32Array): void => {
      if (segment.finished || samples.length === 0) return;
      if (segment.utterance === null) segment.utterance = ++utterancesOpened;
      session.pushAudio(samples);
    };
    for await (const chunk of reader) push(audio.push(chunk));
    push(audio.flush());
    if (segment.finished) return;
    if (segment.utterance === null) finish(segment, 0, false);
    else session.endUtterance();
  };
  room.registerByteStreamHandler(AUDIO_STREAM_TOPIC, (reader, from) => {
    if (from.identity !== agentIdentity) {
      log(`ignored an ${AUDIO_STREAM_TOPIC} stream from ${from.identity}: only ${agentIdentity}'s speech is played`);
      return;
    }
    // Counted on arrival, read in order: a clear reaches the segments still queued behind the one being read.
    const segment: Segment = { utterance: null, started: false, finished: false };
    segments.push(segment);
    intake = intake.then(() => readSegment(reader, segment)).catch((error: unknown) => log(`${AUDIO_STREAM_TOPIC}: ${error instanceof Error ? error.message : String(error)}`));
  });

  let resolveEnded: (end: LiveKitAvatarEnd) => void = () => {};
  const ended = new Promise<LiveKitAvatarEnd>((resolve) => (resolveEnded = resolve));
  let closing: Promise<void> | null = null;
  const stop = (end: LiveKitAvatarEnd): Promise<void> => {
    closing ??= (async () => {
      await session.close();
      await reports;
      if (room.isConnected) await room.disconnect();
      await Promise.all([videoSource.close(), audioSource.close()]);
      resolveEnded(end);
    })();
    return closing;
  };

  try {
    await room.connect(options.url, options.token, { autoSubscribe: false, dynacast: false });
    const local = room.localParticipant;
    if (local === undefined) throw new LiveKitAvatarError('LIVEKIT_AVATAR_NOT_CONNECTED', 'the room gave no local participant after connecting');
    participant = local;
    room.on('participantDisconnected', (left: { identity: string }) => {
      if (left.identity === agentIdentity) void stop('agent_left');
    });
    room.on('disconnected', () => void stop('disconnected'));
    void failure.then(() => stop('failed'));
    local.registerRpcMethod(RPC_CLEAR_BUFFER, async () => {
      session.clear();
      // Segments the session never played (queued, or still arriving) end here too: the agent waits for each one.
      for (const segment of segments) finish(segment, 0, true);
      return 'ok';
    });
    await local.publishTrack(rtc.LocalVideoTrack.createVideoTrack(AVATAR_VIDEO_TRACK, videoSource), new rtc.TrackPublishOptions({ source: rtc.TrackSource.SOURCE_CAMERA }));
    await local.publishTrack(rtc.LocalAudioTrack.createAudioTrack(AVATAR_AUDIO_TRACK, audioSource), new rtc.TrackPublishOptions({ source: rtc.TrackSource.SOURCE_MICROPHONE }));
  } catch (error) {
    await stop('disconnected');
    throw error;
  }
  return { room, session, ended, close: () => stop('closed') };
}

function toPcm16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(samples[i]! * 32768)));
  return out;
}
