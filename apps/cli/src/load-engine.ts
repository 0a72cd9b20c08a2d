import { CliError } from './cli-error.ts';
import type { InspectPortrait, RenderClip } from './engine-contract.ts';

const ENGINE_PACKAGE = '@portrait-farm/engine';

/** What the render command uses of the engine. */
export interface LoadedEngine {
  renderClip: RenderClip;
  inspectPortrait: InspectPortrait;
}

/** Imports the engine on first use, so commands that do not render start fast and work without it. */
export async function loadEngine(): Promise<LoadedEngine> {
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
  const { renderClip, inspectPortrait } = engine as { renderClip?: unknown; inspectPortrait?: unknown };
  for (const [name, value] of [['renderClip', renderClip], ['inspectPortrait', inspectPortrait]] as const) {
    if (typeof value !== 'function') throw new CliError('CLI_ENGINE_MISSING', `${ENGINE_PACKAGE} does not export a ${name} function`);
  }
  return { renderClip: renderClip as RenderClip, inspectPortrait: inspectPortrait as InspectPortrait };
}
