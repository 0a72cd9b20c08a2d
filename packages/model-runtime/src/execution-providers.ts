import { EXECUTION_PROVIDERS } from '@portrait-farm/contracts';
import { ModelRuntimeError } from './errors.ts';

/** Execution providers the runtime knows, in the order it prefers them. */
export { EXECUTION_PROVIDERS };
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];

export function isExecutionProvider(value: string): value is ExecutionProvider {
  return (EXECUTION_PROVIDERS as readonly string[]).includes(value);
}

/**
 * Parses a provider list such as "cuda,webgpu,cpu" (from an option or PORTRAIT_FARM_PROVIDERS).
 * `auto` or an empty value means every provider in preference order.
 */
export function parseProviderList(value: string | undefined): ExecutionProvider[] {
  const trimmed = value?.trim() ?? '';
  if (trimmed === '' || trimmed === 'auto') return [...EXECUTION_PROVIDERS];
  return trimmed.split(',').map((raw) => {
    const name = raw.trim().toLowerCase();
    if (!isExecutionProvider(name)) {
      throw new ModelRuntimeError(
        'MODEL_RUNTIME_UNKNOWN_PROVIDER',
        `Unknown execution provider "${raw.trim()}": expected one of ${EXECUTION_PROVIDERS.join(', ')} or auto.`,
      );
    }
    return name;
  });
}

/** The provider list used when a caller names none: PORTRAIT_FARM_PROVIDERS, else all in preference order. */
export function defaultProviders(): ExecutionProvider[] {
  return parseProviderList(process.env['PORTRAIT_FARM_PROVIDERS']);
}
