export { AVATAR_SAMPLE_RATE, AvatarSession, DEFAULT_AVATAR_IDENTITY } from './avatar-session.ts';
export type { AvatarSessionOptions, LiveKitConnection } from './avatar-session.ts';
export { mintAvatarToken, PUBLISH_ON_BEHALF_ATTRIBUTE } from './avatar-token.ts';
export type { AvatarTokenRequest } from './avatar-token.ts';
export { createFarmSession, farmSessionBody } from './farm-session-request.ts';
export type { FarmSession, FarmSessionRequest, LiveKitTransport } from './farm-session-request.ts';
export { PortraitFarmPluginError } from './plugin-error.ts';
export type { PortraitFarmPluginErrorCode } from './plugin-error.ts';
