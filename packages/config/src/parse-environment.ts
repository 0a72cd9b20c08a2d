import { ConfigError } from './config-error.ts';
import type { ConfigProblem } from './config-error.ts';
import { closestName } from './did-you-mean.ts';
import { defaultOf } from './variable.ts';
import type { ConfigOf, GivenOf, Role, Schema, Variable } from './variable.ts';

/** The environment as read: process.env or a plain object. */
export type EnvironmentSource = Readonly<Record<string, string | undefined>>;

/** Where the table of variables is, for error messages. */
export const CONFIGURATION_DOC = 'docs/configuration.md';

/**
 * Whether a name belongs to the farm: any that starts with PORTRAIT (in any case), so that PORTRAIT_FARM_REDIS,
 * portrait_farm_prefix and PORTRAIT_FRAM_PACK are caught rather than silently ignored.
 */
export function isFarmVariableName(name: string): boolean {
  return name.toUpperCase().startsWith('PORTRAIT');
}

function malformed(name: string, variable: Variable<unknown>, text: string, reason: string | null): ConfigProblem {
  const given = variable.form.show(text);
  const because = reason === null ? '' : ` (${reason})`;
  return {
    kind: 'malformed',
    variable: name,
    expected: variable.form.expected,
    given,
    suggestion: null,
    message: `${name} must be ${variable.form.expected}. Given: ${given}${because}.`,
  };
}

function missing(name: string, variable: Variable<unknown>, roles: readonly Role[]): ConfigProblem {
  return {
    kind: 'missing',
    variable: name,
    expected: variable.form.expected,
    given: null,
    suggestion: null,
    message: `${name} must be ${variable.form.expected}. Given: nothing (the ${roles.join(' and ')} cannot start without it).`,
  };
}

function unknown(name: string, known: readonly string[]): ConfigProblem {
  const suggestion = closestName(name, known);
  const hint = suggestion === null ? '' : `; did you mean ${suggestion}?`;
  return {
    kind: 'unknown',
    variable: name,
    expected: null,
    given: null,
    suggestion,
    message: `${name} is not a variable of the farm${hint} (${CONFIGURATION_DOC} lists them all).`,
  };
}

function read(schema: Schema, roleList: readonly Role[], env: EnvironmentSource, withDefaults: boolean): Record<string, unknown> {
  const problems: ConfigProblem[] = [];
  const known = Object.keys(schema);
  for (const name of Object.keys(env)) {
    if (env[name] !== undefined && !Object.hasOwn(schema, name) && isFarmVariableName(name)) problems.push(unknown(name, known));
  }
  const values: Record<string, unknown> = {};
  for (const [name, variable] of Object.entries(schema)) {
    const readers = roleList.filter((role) => variable.readBy.includes(role));
    if (readers.length === 0) continue;
    const text = env[name];
    if (text === undefined || text.trim() === '') {
      if (!withDefaults) continue;
      const fallback = defaultOf(variable);
      const requiring = readers.filter((role) => variable.requiredBy?.includes(role) === true);
      if (fallback === null && requiring.length > 0) problems.push(missing(name, variable, requiring));
      values[variable.key] = fallback;
      continue;
    }
    const parsed = variable.form.parse(text);
    if (parsed.ok) values[variable.key] = parsed.value;
    else problems.push(malformed(name, variable, text, parsed.reason));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return values;
}

/**
 * Reads the variables that `roles` read from `env` once: each parsed by its form, unset ones given their default (or
 * null), and returns them frozen. Throws one ConfigError listing every malformed or missing variable and every
 * unknown PORTRAIT_FARM_* one, naming the variable, what it expects and what it was given (secrets masked).
 */
export function parseEnvironment<S extends Schema, R extends Role>(schema: S, roles: R | readonly R[], env: EnvironmentSource): ConfigOf<S, R> {
  const roleList: readonly Role[] = typeof roles === 'string' ? [roles] : roles;
  return Object.freeze(read(schema, roleList, env, true)) as ConfigOf<S, R>;
}

/** Like {@link parseEnvironment}, with only the variables `env` sets: for layering the environment over a file. */
export function readGivenEnvironment<S extends Schema, R extends Role>(schema: S, roles: R | readonly R[], env: EnvironmentSource): GivenOf<S, R> {
  const roleList: readonly Role[] = typeof roles === 'string' ? [roles] : roles;
  return Object.freeze(read(schema, roleList, env, false)) as GivenOf<S, R>;
}
