import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createModelSession, type ExecutionProvider, type ModelSession } from '@portrait-farm/model-runtime';
import { displayPath } from './display-path.ts';
import { PackError } from './errors.ts';
import type { ModelPack } from './model-pack.ts';
import { parseManifest, type ParsedManifest } from './parse-manifest.ts';
import { verifyDenoiserSignature } from './verify-denoiser-signature.ts';
import { verifyFiles } from './verify-files.ts';

/** Options of {@link loadModelPack}. */
export interface LoadModelPackOptions {
  /**
   * Hash every listed file and compare with its sha256 (sizes are always compared).
   * @defaultValue true
   */
  verifyHashes?: boolean;
  /**
   * Open the denoiser, and the live denoiser when the pack has one, with onnxruntime and compare their inputs and
   * outputs with the SPEC signature.
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

/** Opens `file` in onnxruntime and checks it has the denoiser signature of the manifest's sizes (the live denoiser shares it). */
async function checkSignature(file: string, role: 'denoiser' | 'live denoiser', parsed: ParsedManifest, providers: ExecutionProvider[]): Promise<void> {
  let session: ModelSession;
  try {
    session = await createModelSession(file, { providers });
  } catch (error) {
    throw new PackError('PACK_DENOISER_LOAD', `${displayPath(file)}: onnxruntime cannot load the ${role} (${error instanceof Error ? error.message : String(error)})`);
  }
  try {
    verifyDenoiserSignature({ ...parsed.denoiser, file }, parsed.channels.length, parsed.audio.featureDim, session);
  } finally {
    await session.close();
  }
}

/** Path of the manifest for a pack directory or a manifest path. */
async function manifestPathOf(path: string): Promise<string> {
  const absolute = resolve(path);
  const info = await stat(absolute).catch(() => null);
  return info?.isDirectory() ? join(absolute, 'manifest.json') : absolute;
}

/**
 * Loads models/<pack>/manifest.json (or a pack directory): validates the manifest, checks every listed file's size
 * and sha256, and the ONNX signature of the denoiser and of the live denoiser, when the pack has one. Throws
 * PackError naming the file or field on any failure.
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
    const providers = options.providers ?? ['cpu'];
    await checkSignature(parsed.denoiser.file, 'denoiser', parsed, providers);
    if (parsed.liveDenoiser !== null) await checkSignature(parsed.liveDenoiser.file, 'live denoiser', parsed, providers);
  }
  return freezePack(parsed);
}
