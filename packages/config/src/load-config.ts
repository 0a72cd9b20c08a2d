import { isConfigError } from './config-error.ts';
import { ENVIRONMENT } from './environment.ts';
import type { Environment } from './environment.ts';
import { parseEnvironment, readGivenEnvironment } from './parse-environment.ts';
import type { EnvironmentSource } from './parse-environment.ts';
import { defaultOf } from './variable.ts';
import type { ConfigOf, GivenOf, Role, SettledValueOf, Variable } from './variable.ts';

/** What role `R` reads from the environment, defaults filled. */
export type RoleConfig<R extends Role> = ConfigOf<Environment, R>;
export type GatewayEnvironment = RoleConfig<'gateway'>;
export type WorkerEnvironment = RoleConfig<'worker'>;
export type StitcherEnvironment = RoleConfig<'stitcher'>;
export type LocalFarmEnvironment = RoleConfig<'local-farm'>;
export type CliEnvironment = RoleConfig<'cli'>;

/** The farm's configuration for `roles`, read from `env` once, frozen. Throws ConfigError naming every problem. */
export function loadConfig<R extends Role>(roles: R | readonly R[], env: EnvironmentSource = process.env): RoleConfig<R> {
  return parseEnvironment(ENVIRONMENT, roles, env);
}

/** Only the variables `env` sets for `roles`, without defaults (the gateway layers them over its config file). */
export function readGivenConfig<R extends Role>(roles: R | readonly R[], env: EnvironmentSource = process.env): GivenOf<Environment, R> {
  return readGivenEnvironment(ENVIRONMENT, roles, env);
}

/** Result of {@link checkSetting}: the value (the variable's default when undefined), or a message naming the field. */
export type SettingCheck<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/**
 * Checks a setting given in code or a JSON file (a GatewayConfig field) by the form of the variable `name` that sets
 * the same thing, and gives that variable's default when it is undefined: one range and one default for both ways of
 * configuring. The message names the field, the variable, what it expects and what it was given.
 */
export function checkSetting<N extends keyof Environment>(field: string, value: unknown, name: N): SettingCheck<SettledValueOf<Environment[N]>> {
  const variable: Variable<unknown> = ENVIRONMENT[name];
  if (value === undefined || value === null) return { ok: true, value: defaultOf(variable) as SettledValueOf<Environment[N]> };
  const parsed = variable.form.check(value);
  if (parsed.ok) return { ok: true, value: parsed.value as SettledValueOf<Environment[N]> };
  const given = typeof value === 'string' ? variable.form.show(value) : variable.form.kind === 'secret' ? '***' : JSON.stringify(value);
  const because = parsed.reason === null ? '' : ` (${parsed.reason})`;
  return { ok: false, message: `${field} (${String(name)}) must be ${variable.form.expected}. Given: ${given}${because}.` };
}

/**
 * Runs `load` at a process's start: a ConfigError (or an error `isConfigProblem` accepts, such as the gateway's
 * GATEWAY_BAD_CONFIG) is printed as the lines it holds and the process exits with 78 (EX_CONFIG) instead of a stack
 * trace; other errors are thrown on.
 */
export function configOrExit<T>(processName: string, load: () => T, isConfigProblem: (error: unknown) => boolean = () => false): T {
  try {
    return load();
  } catch (error) {
    if (!isConfigError(error) && !isConfigProblem(error)) throw error;
    process.stderr.write(`[${processName}] configuration: ${(error as Error).message}\n`);
    process.exit(78);
  }
}
