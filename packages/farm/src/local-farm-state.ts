import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateSecret } from '@portrait-farm/webhooks';
import { FarmError } from './errors.ts';
import { isProcessAlive } from './process-alive.ts';

/** What a local farm keeps across runs in its data folder, so that a restart changes nothing for its clients. */
export interface LocalFarmCredentials {
  apiKey: string;
  webhookSecret: string;
  presignSecret: string;
}

function errorCode(error: unknown): string | undefined {
  return (error as { code?: unknown }).code as string | undefined;
}

/**
 * Claims the data folder for this farm (`farm.pid`): a second farm on the same folder would run a second Redis on
 * the same append-only file. A claim left by a process that is gone is taken over. Throws FARM_DATA_DIR_IN_USE
 * while the owner runs.
 */
export async function claimDataDir(dataDir: string): Promise<{ release(): Promise<void> }> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, 'farm.pid');
  const token = `${process.pid} ${randomBytes(8).toString('hex')}`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(token);
      await handle.close();
      return {
        async release() {
          if ((await readFile(path, 'utf8').catch(() => '')) === token) await unlink(path).catch(() => {});
        },
      };
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
    const owner = Number((await readFile(path, 'utf8').catch(() => '')).split(' ')[0]);
    if (Number.isInteger(owner) && owner > 0 && isProcessAlive(owner)) {
      throw new FarmError(
        'FARM_DATA_DIR_IN_USE',
        `Another local farm (pid ${owner}) is using ${dataDir}. Stop it first, or give this one another data folder ` +
          `(--data-dir); if pid ${owner} is not a farm, delete ${path}.`,
      );
    }
    await unlink(path).catch(() => {});
  }
  throw new FarmError('FARM_DATA_DIR_IN_USE', `Could not claim ${dataDir}: another farm keeps claiming it.`);
}

function isCredentials(value: unknown): value is LocalFarmCredentials {
  const v = value as Partial<LocalFarmCredentials> | null;
  return typeof v?.apiKey === 'string' && typeof v.webhookSecret === 'string' && typeof v.presignSecret === 'string';
}

/** The farm's API key and secrets from `credentials.json` (0600), made on the first run. */
export async function loadCredentials(dataDir: string): Promise<LocalFarmCredentials> {
  const path = join(dataDir, 'credentials.json');
  try {
    const stored: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (isCredentials(stored)) return stored;
    throw new FarmError('FARM_BAD_CONFIG', `${path} must hold apiKey, webhookSecret and presignSecret; delete it to make new ones.`);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') {
      if (error instanceof FarmError) throw error;
      throw new FarmError('FARM_BAD_CONFIG', `${path} is not readable JSON (${(error as Error).message}); delete it to make new credentials.`);
    }
  }
  const made: LocalFarmCredentials = {
    apiKey: `pf_local_${randomBytes(16).toString('hex')}`,
    webhookSecret: generateSecret(),
    presignSecret: randomBytes(24).toString('hex'),
  };
  await writeFile(path, JSON.stringify(made, null, 2), { mode: 0o600 });
  return made;
}
