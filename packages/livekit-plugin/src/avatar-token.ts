import { AccessToken } from 'livekit-server-sdk';

/** The attribute by which LiveKit shows an avatar's tracks as the agent's. */
export const PUBLISH_ON_BEHALF_ATTRIBUTE = 'lk.publish_on_behalf';
/** How long the avatar's token lets it join (its session ends long before). */
const AVATAR_TOKEN_TTL = '1h';

export interface AvatarTokenRequest {
  apiKey: string;
  apiSecret: string;
  roomName: string;
  avatarIdentity: string;
  avatarName: string;
  agentIdentity: string;
}

/** A token for the avatar participant: joins the agent's room as an agent-kind participant publishing on its behalf. */
export async function mintAvatarToken(request: AvatarTokenRequest): Promise<string> {
  const token = new AccessToken(request.apiKey, request.apiSecret, {
    identity: request.avatarIdentity,
    name: request.avatarName,
    ttl: AVATAR_TOKEN_TTL,
    attributes: { [PUBLISH_ON_BEHALF_ATTRIBUTE]: request.agentIdentity },
  });
  token.kind = 'agent';
  token.addGrant({ roomJoin: true, room: request.roomName, canPublish: true, canPublishData: true, canSubscribe: false });
  return await token.toJwt();
}
