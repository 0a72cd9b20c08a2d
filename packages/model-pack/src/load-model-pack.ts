import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ExecutionProvider } from '@portrait-farm/model-runtime';
import { displayPath } from './display-path.ts';
import { PackError } from './errors.ts';
import type { ModelPack } from './model-pack.ts';
import { parseManifest, type ParsedManifest } from './parse-manifest.ts';
import { openDenoiser } from './open-denoiser.ts';
import { verifyFiles } from './verify-files.ts';

/** Options of {@link loadModelPack}. */
export interface LoadModelPackOptions {
  /**
   * Hash every listed file and compare with its sha256 (sizes are always compared).
   * @defaultValue true
   */
  verifyHashes?: boolean;
  /**
   * Open the denoiser with onnxruntime and compare its inputs and outputs with the SPEC signature.
   * @defaultValue true
   */
  verifySignature?: boolean;
  /**
   * Execution providers for the signature check.
   * @defaultValue ['cpu']
   */
  providers?: ExecutionProvider[];
  /**
   * Accept a pack whose face models are not (yet) listed or present: face paths are resolved but not checked.
   * For motion-only use (audio -> motion); a renderer needs the face models.
   * @defaultValue false
   */
  ignoreFace?: boolean;
}

function freezePack(parsed: ParsedManifest): ModelPack {
  const mean = Float32Array.from(parsed.channelMean);
  const std = Float32Array.from(parsed.channelStd);
  const pack = { ...parsed } as Record<string, unknown>;
  delete pack['channelMean'];
  delete pack['channelStd'];
  Object.defineProperty(pack, 'channelMean', { enumerable: true, get: () => mean.slice() });
  Object.defineProperty(pack, 'channelStd', { enumerable: true, get: () => std.slice() });
  return Object.freeze(pack) as unknown as ModelPack;
}

/** Path of the manifest for a pack directory or a manifest path. */
async function manifestPathOf(path: string): Promise<string> {
  const absolute = resolve(path);
  const info = await stat(absolute).catch(() => null);
  return info?.isDirectory() ? join(absolute, 'manifest.json') : absolute;
}

/**
 * Loads models/<pack>/manifest.json (or a pack directory): validates the manifest, checks every listed file's size
 * and sha256, and the denoiser's ONNX signature. Throws PackError naming the file or field on any failure. The live
 * denoiser's signature is checked where it is opened ({@link openDenoiser}): opening it here too would double the
 * time every render and worker takes to load the pack, for a model only sessions use.
 */
export async function loadModelPack(path: string, options: LoadModelPackOptions = {}): Promise<ModelPack> {
  const manifestPath = await manifestPathOf(path);
  const label = displayPath(manifestPath);
  const text = await readFile(manifestPath, 'utf8').catch((error: unknown) => {
    throw new PackError('PACK_MANIFEST_MISSING', `${label}: cannot read the pack manifest (${error instanceof Error ? error.message : String(error)})`);
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PackError('PACK_MANIFEST_JSON', `${label}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = parseManifest(json, manifestPath, { ignoreFace: options.ignoreFace ?? false });
  await verifyFiles(label, parsed.files, options.verifyHashes ?? true);
  if (options.verifySignature ?? true) {
    const session = await openDenoiser(parsed.denoiser.file, 'denoiser', parsed, { providers: options.providers ?? ['cpu'] });
    await session.close();
  }
  return freezePack(parsed);
}
