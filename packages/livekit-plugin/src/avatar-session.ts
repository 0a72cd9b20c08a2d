import { voice } from '@livekit/agents';
import { TrackKind, type Room } from '@livekit/rtc-node';
import { mintAvatarToken } from './avatar-token.ts';
import { createFarmSession } from './farm-session-request.ts';
import { PortraitFarmPluginError } from './plugin-error.ts';

/** The participant the avatar joins as, unless told otherwise. */
export const DEFAULT_AVATAR_IDENTITY = 'portrait-farm-avatar';
/** The rate of the speech sent to the avatar: the agent resamples its TTS to it; the farm takes 16 or 24 kHz. */
export const AVATAR_SAMPLE_RATE = 24000;

/** Options of {@link AvatarSession}. */
export interface AvatarSessionOptions {
  /** The avatar to animate (POST /v1/avatars). */
  avatarId: string;
  /** The farm's gateway. @defaultValue process.env.PORTRAIT_FARM_URL */
  farmUrl?: string;
  /** The tenant's API key. @defaultValue process.env.PORTRAIT_FARM_API_KEY */
  apiKey?: string;
  /** @defaultValue DEFAULT_AVATAR_IDENTITY */
  avatarParticipantIdentity?: string;
  /** @defaultValue the identity */
  avatarParticipantName?: string;
  /** The session's latency mode. @defaultValue the farm's ("quality") */
  latency?: 'quality' | 'low';
  /** The picture: the face crop or the portrait's framing. @defaultValue the farm's ("crop") */
  mode?: 'crop' | 'full';
}

/** Where the avatar joins, and the credentials its token is signed with. */
export interface LiveKitConnection {
  /** @defaultValue process.env.LIVEKIT_URL */
  livekitUrl?: string;
  /** @defaultValue process.env.LIVEKIT_API_KEY */
  livekitApiKey?: string;
  /** @defaultValue process.env.LIVEKIT_API_SECRET */
  livekitApiSecret?: string;
}

interface ResolvedOptions {
  avatarId: string;
  farmUrl: string;
  apiKey: string;
  identity: string;
  name: string;
  latency: 'quality' | 'low' | null;
  mode: 'crop' | 'full' | null;
}

/**
 * A portrait-farm avatar for a LiveKit Agents session: `start` places a realtime session on the farm, which joins the
 * room as the avatar participant, and turns the agent's audio output into a data stream to it.
 */
export class AvatarSession extends voice.AvatarSession {
  private readonly resolved: ResolvedOptions;
  /** The farm's session id, once started. */
  sessionId: string | null = null;

  constructor(options: AvatarSessionOptions) {
    super();
    const farmUrl = options.farmUrl ?? process.env.PORTRAIT_FARM_URL;
    const apiKey = options.apiKey ?? process.env.PORTRAIT_FARM_API_KEY;
    if (farmUrl === undefined || farmUrl === '') throw new PortraitFarmPluginError('PLUGIN_BAD_OPTIONS', 'farmUrl (or PORTRAIT_FARM_URL) must name the farm\'s gateway. Passed: nothing');
    if (!/^https?:\/\//.test(farmUrl)) throw new PortraitFarmPluginError('PLUGIN_BAD_OPTIONS', `farmUrl must be an http(s) URL. Passed: ${farmUrl}`);
    if (apiKey === undefined || apiKey === '') throw new PortraitFarmPluginError('PLUGIN_BAD_OPTIONS', 'apiKey (or PORTRAIT_FARM_API_KEY) must be the tenant\'s API key. Passed: nothing');
    if (options.avatarId === '') throw new PortraitFarmPluginError('PLUGIN_BAD_OPTIONS', 'avatarId must name an avatar. Passed: an empty string');
    const identity = options.avatarParticipantIdentity ?? DEFAULT_AVATAR_IDENTITY;
    this.resolved = {
      avatarId: options.avatarId,
      farmUrl,
      apiKey,
      identity,
      name: options.avatarParticipantName ?? identity,
      latency: options.latency ?? null,
      mode: options.mode ?? null,
    };
  }

  override get avatarIdentity(): string {
    return this.resolved.identity;
  }

  override get provider(): string {
    return 'portrait-farm';
  }

  /** Starts the farm's session in `room` and sends the agent's speech to it; answers the farm's session id. */
  override async start(agentSession: voice.AgentSession, room: Room, connection: LiveKitConnection = {}): Promise<string> {
    const livekitUrl = connection.livekitUrl ?? process.env.LIVEKIT_URL;
    const apiKey = connection.livekitApiKey ?? process.env.LIVEKIT_API_KEY;
    const apiSecret = connection.livekitApiSecret ?? process.env.LIVEKIT_API_SECRET;
    if (livekitUrl === undefined || apiKey === undefined || apiSecret === undefined) {
      throw new PortraitFarmPluginError('PLUGIN_BAD_OPTIONS', 'livekitUrl, livekitApiKey and livekitApiSecret (or LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET) must all be set');
    }
    const agentIdentity = room.localParticipant?.identity;
    if (room.name === undefined || agentIdentity === undefined) {
      throw new PortraitFarmPluginError('PLUGIN_BAD_OPTIONS', 'the room must be connected before the avatar starts (its name and the agent\'s identity go into the avatar\'s token)');
    }
    await super.start(agentSession, room);
    const token = await mintAvatarToken({ apiKey, apiSecret, roomName: room.name, avatarIdentity: this.resolved.identity, avatarName: this.resolved.name, agentIdentity });
    const session = await createFarmSession({
      farmUrl: this.resolved.farmUrl,
      apiKey: this.resolved.apiKey,
      avatarId: this.resolved.avatarId,
      latency: this.resolved.latency,
      mode: this.resolved.mode,
      livekit: { url: livekitUrl, token, agent_identity: agentIdentity },
    });
    this.sessionId = session.id;
    agentSession.output.audio = new voice.DataStreamAudioOutput({
      room,
      destinationIdentity: this.resolved.identity,
      sampleRate: AVATAR_SAMPLE_RATE,
      waitRemoteTrack: TrackKind.KIND_VIDEO,
      waitPlaybackStart: true,
    });
    return session.id;
  }
}
