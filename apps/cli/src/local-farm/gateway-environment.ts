import { ENVIRONMENT, isFarmVariableName } from '@portrait-farm/config';
import type { Environment } from '@portrait-farm/config';

/**
 * The gateway's variables the local farm sets itself (in the gateway's configuration file, or as PORT and HOST): where
 * its Redis, storage and public URL are, its keys and secrets, its Redis prefix and who may get webhooks. The caller's
 * values of these never reach the gateway, since the gateway layers the environment over its file.
 */
export const LOCAL_FARM_OWNED_VARIABLES: ReadonlySet<keyof Environment> = new Set<keyof Environment>([
  'PORTRAIT_FARM_CONFIG',
  'PORTRAIT_FARM_REDIS_URL',
  'PORTRAIT_FARM_STORAGE_URL',
  'PORTRAIT_FARM_PUBLIC_URL',
  'PORTRAIT_FARM_API_KEYS',
  'PORTRAIT_FARM_API_KEYS_FILE',
  'PORTRAIT_FARM_PRESIGN_SECRET',
  'PORTRAIT_FARM_SIGNING_KEY',
  'PORTRAIT_FARM_OPERATOR_KEY',
  'PORTRAIT_FARM_PREFIX',
  'PORTRAIT_FARM_WEBHOOK_SECRETS',
  'PORTRAIT_FARM_WEBHOOK_ALLOW_LOOPBACK',
  'PORTRAIT_FARM_WEBHOOK_ALLOW_PRIVATE',
  'PORTRAIT_FARM_WEBHOOK_ALLOW_HOSTS',
  'PORT',
  'HOST',
]);

/** Every variable of the config model the gateway reads and the local farm leaves to its caller (limits, timeouts, face check, retention, ...). */
export const GATEWAY_PASS_THROUGH_VARIABLES: readonly string[] = Object.freeze(
  Object.entries(ENVIRONMENT)
    .filter(([name, variable]) => (variable.readBy as readonly string[]).includes('gateway') && !LOCAL_FARM_OWNED_VARIABLES.has(name as keyof Environment))
    .map(([name]) => name),
);

/**
 * The local farm gateway's environment from the caller's: every variable that is not the farm's (PATH, NODE_OPTIONS,
 * AWS_*), and of the farm's, those of {@link GATEWAY_PASS_THROUGH_VARIABLES}.
 */
export function gatewayEnvironment(env: Readonly<Record<string, string | undefined>>): NodeJS.ProcessEnv {
  const passed = new Set(GATEWAY_PASS_THROUGH_VARIABLES);
  return Object.fromEntries(Object.entries(env).filter(([name]) => passed.has(name) || !(isFarmVariableName(name) || Object.hasOwn(ENVIRONMENT, name))));
}
