import { isStorageError } from '@portrait-farm/storage';
import type { ObjectStorage } from '@portrait-farm/storage';
import { isAvatarId } from './avatar-id.ts';
import { avatarKeys, RECORD_NAME } from './avatar-keys.ts';
import { AVATAR_RECORD_VERSION } from './avatar-record.ts';
import type { AvatarRecord } from './avatar-record.ts';
import { AvatarsError } from './errors.ts';

/** One page of a tenant's avatars, oldest first. */
export interface AvatarPage {
  avatars: AvatarRecord[];
  /** The last avatar id of this page when more follow (pass as `cursor`), else null. */
  nextCursor: string | null;
}

/** Keys read per storage listing while a page is gathered (each avatar has a few objects besides its record). */
const LIST_BATCH = 1000;

function notFound(avatarId: string): AvatarsError {
  return new AvatarsError('AVATARS_NOT_FOUND', `No avatar ${JSON.stringify(avatarId)} belongs to this tenant.`);
}

/**
 * A tenant's avatars in object storage, nothing else: the record (`avatar.json`) and the portrait under
 * `avatars/{tenant}/{id}/` (avatar-keys.ts), and what workers prepare from it beside them. Storage alone holds
 * them, so an avatar lives as long as its objects and no Redis record can disagree with them.
 */
export class AvatarStore {
  constructor(private readonly storage: ObjectStorage) {}

  /** Stores the portrait (a local file), then the record: a reader that finds the record finds the image. */
  async create(record: AvatarRecord, imagePath: string): Promise<void> {
    await this.storage.put(record.image.key, { path: imagePath }, { contentType: record.image.contentType });
    await this.storage.put(avatarKeys.record(record.tenantId, record.id), Buffer.from(JSON.stringify({ version: AVATAR_RECORD_VERSION, ...record })), {
      contentType: 'application/json',
    });
  }

  /** The tenant's avatar; AVATARS_NOT_FOUND for an unknown id, a malformed one, or another tenant's. */
  async get(tenantId: string, avatarId: string): Promise<AvatarRecord> {
    if (!isAvatarId(avatarId)) throw notFound(avatarId);
    let bytes: Buffer;
    try {
      bytes = await this.storage.get(avatarKeys.record(tenantId, avatarId));
    } catch (error) {
      if (isStorageError(error) && error.code === 'STORAGE_NOT_FOUND') throw notFound(avatarId);
      throw error;
    }
    return parseRecord(bytes, avatarId);
  }

  /** Whether the tenant's avatar still exists (its record is stored). */
  async exists(tenantId: string, avatarId: string): Promise<boolean> {
    return isAvatarId(avatarId) && this.storage.exists(avatarKeys.record(tenantId, avatarId));
  }

  /** Up to `limit` of the tenant's avatars after the avatar `cursor` (null: from the first), oldest first. */
  async list(tenantId: string, options: { limit: number; cursor: string | null }): Promise<AvatarPage> {
    const prefix = avatarKeys.tenantPrefix(tenantId);
    // Ids have one length, so every key of a later avatar sorts after `{cursor}0` ('0' follows '/').
    let after = options.cursor === null ? undefined : `${prefix}${options.cursor}0`;
    const ids: string[] = [];
    while (ids.length <= options.limit) {
      const keys = await this.storage.list(prefix, { limit: LIST_BATCH, ...(after === undefined ? {} : { after }) });
      for (const key of keys) {
        const [id, name] = key.slice(prefix.length).split('/');
        if (name === RECORD_NAME && id !== undefined && isAvatarId(id)) ids.push(id);
      }
      if (keys.length < LIST_BATCH) break;
      after = keys[keys.length - 1];
    }
    const page = ids.slice(0, options.limit);
    const records = await Promise.all(page.map((id) => this.get(tenantId, id).catch((error: unknown) => (isMissing(error) ? null : Promise.reject(error)))));
    return {
      avatars: records.filter((record): record is AvatarRecord => record !== null),
      nextCursor: ids.length > options.limit ? (page[page.length - 1] ?? null) : null,
    };
  }

  /**
   * Deletes the avatar: its record first (from then on it is unknown), then every object under its prefix, the
   * portrait and the prepared sources included. Jobs made from it keep their own copy of the portrait.
   */
  async delete(tenantId: string, avatarId: string): Promise<void> {
    await this.get(tenantId, avatarId);
    await this.storage.delete(avatarKeys.record(tenantId, avatarId));
    await this.storage.deletePrefix(avatarKeys.root(tenantId, avatarId));
  }
}

function isMissing(error: unknown): boolean {
  return error instanceof AvatarsError && error.code === 'AVATARS_NOT_FOUND';
}

function parseRecord(bytes: Buffer, avatarId: string): AvatarRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new AvatarsError('AVATARS_BAD_RECORD', `The record of avatar ${avatarId} is not JSON.`);
  }
  const { version, ...record } = parsed as AvatarRecord & { version?: unknown };
  if (version !== AVATAR_RECORD_VERSION) {
    throw new AvatarsError('AVATARS_BAD_RECORD', `The record of avatar ${avatarId} must be of version ${AVATAR_RECORD_VERSION}. Received: ${String(version)}`);
  }
  return record;
}
