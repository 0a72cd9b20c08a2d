import { sortableIdKind } from '@portrait-farm/contracts';

const AVATAR_IDS = sortableIdKind('av');
/** What an avatar id looks like, as a regular expression's source (the API document states it). */
export const AVATAR_ID_PATTERN_SOURCE = AVATAR_IDS.patternSource;

/** A new avatar id, `av_` + 10 characters of creation time (ms) + 16 random characters (80 bits), sortable as job ids are. */
export function createAvatarId(now: number = Date.now()): string {
  return AVATAR_IDS.create(now);
}

/** Whether a string has the shape of an avatar id (checked before it is used in a storage key). */
export function isAvatarId(value: string): boolean {
  return AVATAR_IDS.is(value);
}
