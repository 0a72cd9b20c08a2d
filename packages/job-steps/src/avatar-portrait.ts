import { avatarKeys, AvatarStore } from '@portrait-farm/avatars';
import { RENDER_OPTION_RANGES } from '@portrait-farm/contracts';
import type { OutputMode } from '@portrait-farm/contracts';
import { preparePortrait } from '@portrait-farm/engine';
import type { Engine, PreparedPortrait } from '@portrait-farm/engine';
import { isStorageError } from '@portrait-farm/storage';
import type { ObjectStorage } from '@portrait-farm/storage';
import { isJobStepError } from './errors.ts';
import { decodeWork, encodeWork } from './work-codec.ts';

const PORTRAIT_KIND = 'avatar-portrait';

/** What loading a prepared avatar needs: the farm's storage and the loaded engine (its pack names the prepared files). */
export interface AvatarPortraitDeps {
  storage: ObjectStorage;
  engine: Engine;
}

/** An avatar of a tenant. */
export interface AvatarRef {
  tenantId: string;
  avatarId: string;
}

/**
 * The prepared portrait stored at `key`, or null when there is none or it cannot be read: a prepared file outlives
 * farm versions (avatars stay until deleted), so one of an older work format is made again rather than failing jobs.
 */
async function storedPortrait(storage: ObjectStorage, key: string): Promise<PreparedPortrait | null> {
  try {
    return decodeWork(PORTRAIT_KIND, await storage.get(key)) as PreparedPortrait;
  } catch (error) {
    if (isStorageError(error) && error.code === 'STORAGE_NOT_FOUND') return null;
    if (isJobStepError(error, 'FARM_BAD_WORK_FILE')) return null;
    throw error;
  }
}

/**
 * The avatar's portrait prepared for `mode` by this engine's pack: read from the avatar's prepared objects when a
 * worker made them before, else made by `prepare` (the face analysis, framing and neutral estimate of
 * preparePortrait) and stored there for the next clip. Stored only while the avatar exists: a job whose avatar was
 * deleted meanwhile prepares from its own copy of the portrait and leaves nothing under the deleted avatar.
 */
export async function avatarPortrait(deps: AvatarPortraitDeps, ref: AvatarRef, mode: OutputMode, prepare: () => Promise<PreparedPortrait>): Promise<PreparedPortrait> {
  const key = avatarKeys.prepared(ref.tenantId, ref.avatarId, deps.engine.pack, mode);
  const stored = await storedPortrait(deps.storage, key);
  if (stored !== null) return stored;
  const portrait = await prepare();
  const avatars = new AvatarStore(deps.storage);
  if (await avatars.exists(ref.tenantId, ref.avatarId)) {
    await deps.storage.put(key, encodeWork(PORTRAIT_KIND, portrait), { contentType: 'application/octet-stream' });
    // A delete between the check and the put leaves the prepared object behind: remove it.
    if (!(await avatars.exists(ref.tenantId, ref.avatarId))) await deps.storage.delete(key);
  }
  return portrait;
}

/**
 * The SourceImage and neutral of a stored avatar for `mode`, as a PreparedClip of that mode holds them (what a
 * realtime session renders from): prepared once per mode and pack, then read back. Throws AVATARS_NOT_FOUND for an
 * unknown avatar.
 */
export async function loadAvatarPortrait(deps: AvatarPortraitDeps, ref: AvatarRef, mode: OutputMode, log: (message: string) => void = () => {}): Promise<PreparedPortrait> {
  const record = await new AvatarStore(deps.storage).get(ref.tenantId, ref.avatarId);
  return avatarPortrait(deps, ref, mode, async () =>
    preparePortrait(deps.engine, await deps.storage.get(record.image.key), {
      faceIndex: record.face.faceIndex ?? RENDER_OPTION_RANGES.faceIndex.default,
      faceBox: record.face.faceBox,
      mode,
      log,
    }),
  );
}
