import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { displayPath } from './display-path.ts';
import { PackError } from './errors.ts';
import type { PackFile } from './model-pack.ts';

/** sha256 of a file, read as a stream (model files can be large). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Checks that every listed file exists with the size and sha256 the manifest gives (sizes first: cheap). */
export async function verifyFiles(label: string, files: Readonly<Record<string, PackFile>>, checkHashes: boolean): Promise<void> {
  for (const [name, file] of Object.entries(files)) {
    const info = await stat(file.path).catch(() => null);
    if (info === null || !info.isFile()) {
      throw new PackError('PACK_FILE_MISSING', `${displayPath(file.path)}: file listed in ${label} as "${name}" does not exist`);
    }
    if (info.size !== file.bytes) {
      throw new PackError('PACK_FILE_SIZE', `${displayPath(file.path)}: size is ${info.size} bytes, expected ${file.bytes} (${label} files."${name}".bytes)`);
    }
  }
  if (!checkHashes) return;
  for (const [name, file] of Object.entries(files)) {
    const actual = await sha256File(file.path);
    if (actual !== file.sha256) {
      throw new PackError('PACK_FILE_HASH', `${displayPath(file.path)}: sha256 is ${actual}, expected ${file.sha256} (${label} files."${name}".sha256)`);
    }
  }
}
