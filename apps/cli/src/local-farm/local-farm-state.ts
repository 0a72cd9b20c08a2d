import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isProcessAlive } from '@portrait-farm/process-supervision';
import { generateSecret } from '@portrait-farm/webhooks';
import { generateSigningKeyPem, loadSigningKey } from '@portrait-farm/provenance';
import { LocalFarmError } from './errors.ts';

/** What a local farm keeps across runs in its data folder, so that a restart changes nothing for its clients. */
export interface LocalFarmCredentials {
  apiKey: string;
  webhookSecret: string;
  presignSecret: string;
}

function errorCode(error: unknown): string | undefined {
  return (error as { code?: unknown }).code as string | undefined;
}

/** A claim on a data folder (`farm.pid`), held until released. */
export interface DataDirClaim {
  /** The claim file. */
  readonly path: string;
  /** What the claim file holds now: `<pid> <token>` and the pids added by `addHolder`. */
  readonly content: string;
  /**
   * Another process holds the claim with this one: the guard that finishes stopping the farm's processes if this
   * one dies. The claim counts as live while any holder runs, so a new farm does not start on the folder while the
   * old farm's Redis is still being stopped.
   */
  addHolder(pid: number): Promise<void>;
  /** Deletes the claim file, if it is still this claim's. */
  release(): Promise<void>;
}

/** The pids a claim file names: the owner first, then the holders; the token (second field) is skipped. */
function claimPids(content: string): number[] {
  const fields = content.trim().split(/\s+/);
  return [fields[0], ...fields.slice(2)].map(Number).filter((pid) => Number.isInteger(pid) && pid > 0);
}

/**
 * Claims the data folder for this farm (`farm.pid`, created exclusively): a second farm on the same folder would run
 * a second Redis on the same append-only file. A claim whose processes are all gone (killed, or a pid reused after
 * a reboot is checked as well as can be: a zombie does not count) is taken over. Throws FARM_DATA_DIR_IN_USE, naming
 * the folder and the pid, while a holder runs.
 */
export async function claimDataDir(dataDir: string): Promise<DataDirClaim> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, 'farm.pid');
  let content = `${process.pid} ${randomBytes(8).toString('hex')}`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(content);
      await handle.close();
      return {
        path,
        get content() {
          return content;
        },
        async addHolder(pid) {
          const next = `${content} ${pid}`;
          const temporary = `${path}.${process.pid}.tmp`;
          await writeFile(temporary, next, { mode: 0o600 });
          await rename(temporary, path);
          content = next;
        },
        async release() {
          if ((await readFile(path, 'utf8').catch(() => '')) === content) await unlink(path).catch(() => {});
        },
      };
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
    const owner = claimPids(await readFile(path, 'utf8').catch(() => '')).find(isProcessAlive);
    if (owner !== undefined) {
      throw new LocalFarmError(
        'FARM_DATA_DIR_IN_USE',
        `Another local farm (pid ${owner}) is using ${dataDir}. Stop it first, or give this one another data folder ` +
          `(--data-dir); if pid ${owner} is not a farm, delete ${path}.`,
      );
    }
    await unlink(path).catch(() => {});
  }
  throw new LocalFarmError('FARM_DATA_DIR_IN_USE', `Could not claim ${dataDir}: another farm keeps claiming it.`);
}

function isCredentials(value: unknown): value is LocalFarmCredentials {
  const v = value as Partial<LocalFarmCredentials> | null;
  return typeof v?.apiKey === 'string' && typeof v.webhookSecret === 'string' && typeof v.presignSecret === 'string';
}

/**
 * The path of the farm's Ed25519 signing key (`signing-key.pem`, 0600, PKCS#8), made on the first run: the stitcher
 * signs every video's provenance manifest with it, the gateway serves its public key.
 */
export async function loadSigningKeyFile(dataDir: string): Promise<string> {
  const path = join(dataDir, 'signing-key.pem');
  try {
    await writeFile(path, generateSigningKeyPem(), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
  }
  try {
    loadSigningKey(path);
  } catch (error) {
    throw new LocalFarmError('FARM_BAD_CONFIG', `${path} is not an Ed25519 private key in PEM (${(error as Error).message}); delete it to make a new one.`);
  }
  return path;
}

/** Operator keys are at least this long (PORTRAIT_FARM_OPERATOR_KEY's form). */
const OPERATOR_KEY_MIN_LENGTH = 16;

/**
 * The farm's operator key from `operator-key` (0600), made on the first run: it opens the ops dashboard, the operator
 * routes and GET /v1/queue/depth. Callers print the path, never the key.
 */
export async function loadOperatorKeyFile(dataDir: string): Promise<{ path: string; key: string }> {
  const path = join(dataDir, 'operator-key');
  try {
    await writeFile(path, `pf_operator_${randomBytes(24).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
  }
  const key = (await readFile(path, 'utf8')).trim();
  if (key.length < OPERATOR_KEY_MIN_LENGTH || /\s/.test(key)) {
    throw new LocalFarmError('FARM_BAD_CONFIG', `${path} must hold one operator key of at least ${OPERATOR_KEY_MIN_LENGTH} characters without spaces; delete it to make a new one.`);
  }
  return { path, key };
}

/** The farm's API key and secrets from `credentials.json` (0600), made on the first run. */
export async function loadCredentials(dataDir: string): Promise<LocalFarmCredentials> {
  const path = join(dataDir, 'credentials.json');
  try {
    const stored: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (isCredentials(stored)) return stored;
    throw new LocalFarmError('FARM_BAD_CONFIG', `${path} must hold apiKey, webhookSecret and presignSecret; delete it to make new ones.`);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') {
      if (error instanceof LocalFarmError) throw error;
      throw new LocalFarmError('FARM_BAD_CONFIG', `${path} is not readable JSON (${(error as Error).message}); delete it to make new credentials.`);
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
