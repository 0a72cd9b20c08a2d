export { AVATAR_ID_PATTERN_SOURCE, createAvatarId, isAvatarId } from './avatar-id.ts';
export { avatarKeys } from './avatar-keys.ts';
export { AVATAR_RECORD_VERSION } from './avatar-record.ts';
export type { AvatarConsent, AvatarFace, AvatarImage, AvatarRecord } from './avatar-record.ts';
export { AvatarStore } from './avatar-store.ts';
export type { AvatarPage } from './avatar-store.ts';
export { AVATARS_ERRORS, AvatarsError, isAvatarsError } from './errors.ts';
export type { AvatarsErrorCode } from './errors.ts';
