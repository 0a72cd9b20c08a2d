import { CliError } from './cli-error.ts';
import type { RenderClip } from './engine-contract.ts';

const ENGINE_PACKAGE = '@portrait-farm/engine';

/** Imports the engine on first use, so commands that do not render start fast and work without it. */
export async function loadRenderClip(): Promise<RenderClip> {
  let engine: unknown;
  try {
    const specifier: string = ENGINE_PACKAGE;
    engine = await import(specifier);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    if (code === 'ERR_MODULE_NOT_FOUND' && message.includes(ENGINE_PACKAGE)) {
      const detail = message.split('\n')[0] ?? message;
      throw new CliError('CLI_ENGINE_MISSING', `${ENGINE_PACKAGE} could not be loaded (${detail}). Run npm install.`);
    }
    throw error;
  }
  const renderClip = (engine as { renderClip?: unknown }).renderClip;
  if (typeof renderClip !== 'function') {
    throw new CliError('CLI_ENGINE_MISSING', `${ENGINE_PACKAGE} does not export a renderClip function`);
  }
  return renderClip as RenderClip;
}
