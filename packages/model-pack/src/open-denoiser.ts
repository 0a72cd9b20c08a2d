import { createModelSession, type ModelSession, type ModelSessionOptions } from '@portrait-farm/model-runtime';
import { displayPath } from './display-path.ts';
import { PackError } from './errors.ts';
import type { PackAudio, PackDenoiser } from './model-pack.ts';
import { verifyDenoiserSignature } from './verify-denoiser-signature.ts';

/** What a denoiser's signature is checked against: the manifest's sizes. */
export interface DenoiserSizes {
  readonly denoiser: Pick<PackDenoiser, 'window' | 'context'>;
  readonly channels: readonly unknown[];
  readonly audio: Pick<PackAudio, 'featureDim'>;
}

/**
 * Opens `file` in onnxruntime and checks it has the denoiser signature of the manifest's sizes (the live denoiser
 * shares it); the session is closed again when it does not. Throws PackError naming the file.
 */
export async function openDenoiser(file: string, role: 'denoiser' | 'live denoiser', sizes: DenoiserSizes, options: ModelSessionOptions = {}): Promise<ModelSession> {
  let session: ModelSession;
  try {
    session = await createModelSession(file, options);
  } catch (error) {
    throw new PackError('PACK_DENOISER_LOAD', `${displayPath(file)}: onnxruntime cannot load the ${role} (${error instanceof Error ? error.message : String(error)})`);
  }
  try {
    verifyDenoiserSignature({ ...sizes.denoiser, file }, sizes.channels.length, sizes.audio.featureDim, session);
  } catch (error) {
    await session.close();
    throw error;
  }
  return session;
}
