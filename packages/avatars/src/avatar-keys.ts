import type { OutputMode } from '@portrait-farm/contracts';

/**
 * The tenant as a key segment: tenant ids may be "." or "..", which no storage key may hold as a segment; those two
 * are written with "%2E" ("%" is never part of a tenant id, so no two tenants share a segment).
 */
function tenantSegment(tenantId: string): string {
  return tenantId === '.' || tenantId === '..' ? tenantId.replaceAll('.', '%2E') : tenantId;
}

/**
 * Where an avatar's objects live: everything under `avatars/{tenant}/{id}/` (deleted as one prefix). The record is
 * written last and deleted first, so an avatar exists exactly while its record does.
 */
export const avatarKeys = Object.freeze({
  /** Every avatar of a tenant. */
  tenantPrefix: (tenantId: string) => `avatars/${tenantSegment(tenantId)}/`,
  /** Everything of one avatar. */
  root: (tenantId: string, avatarId: string) => `avatars/${tenantSegment(tenantId)}/${avatarId}/`,
  record: (tenantId: string, avatarId: string) => `avatars/${tenantSegment(tenantId)}/${avatarId}/avatar.json`,
  /** The portrait as uploaded (`extension` from its format: jpg, png, webp). */
  image: (tenantId: string, avatarId: string, extension: string) => `avatars/${tenantSegment(tenantId)}/${avatarId}/image.${extension}`,
  /** What a worker prepared from the portrait for one output mode with one model pack (work-codec bytes). */
  prepared: (tenantId: string, avatarId: string, pack: { name: string; version: string }, mode: OutputMode) =>
    `avatars/${tenantSegment(tenantId)}/${avatarId}/prepared/${encodeURIComponent(pack.name)}@${encodeURIComponent(pack.version)}/${mode}.bin`,
});

/** The last part of an avatar's record key, by which a listing finds the avatars among their objects. */
export const RECORD_NAME = 'avatar.json';
