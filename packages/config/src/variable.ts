import type { ValueForm } from './value-forms.ts';

/**
 * Who reads the environment: the three farm processes, the local farm (`portrait-farm up`, `demo`), the commands that
 * work without a farm (`cli`: `portrait-farm render`, `verify`), the tests.
 */
export const ROLES = Object.freeze(['gateway', 'worker', 'stitcher', 'local-farm', 'cli', 'tests'] as const);
export type Role = (typeof ROLES)[number];

/** A default computed when the environment is read (the OS temp folder), and how the table names it. */
export interface ComputedDefault<T> {
  readonly text: string;
  compute(): T;
}

/** Everything about one variable but its form. */
export interface VariableSpec<T> {
  /** The field of the parsed object, e.g. `lockMs`. */
  readonly key: string;
  /** The roles that read it (any others ignore it). */
  readonly readBy: readonly Role[];
  /** The roles that cannot start without it. */
  readonly requiredBy?: readonly Role[];
  /** The value when it is unset (or empty). */
  readonly default?: T;
  readonly computedDefault?: ComputedDefault<T>;
  /** When it is unset and has no default: what happens instead (the table's Default column), e.g. "the engine's order". */
  readonly unset?: string;
  /** One line for the table. */
  readonly description: string;
}

/** One variable of the schema. */
export type Variable<T = unknown> = VariableSpec<T> & { readonly form: ValueForm<T> };

/** Declares a variable of the given form; the spec's literal types (readBy, default) stay visible to the parsed types. */
export function variable<T, const S extends VariableSpec<NoInfer<T>>>(form: ValueForm<T>, spec: S): Readonly<S & { readonly form: ValueForm<T> }> {
  return Object.freeze({ ...spec, form });
}

/** A schema: variables by their name in the environment. */
export type Schema = Readonly<Record<string, Variable<unknown>>>;

/** The parsed value of a variable. */
export type ValueOf<V> = V extends { readonly form: ValueForm<infer T> } ? T : never;
type ReadByOf<V> = V extends { readonly readBy: readonly (infer R)[] } ? R : never;
type RequiredByOf<V> = V extends { readonly requiredBy: readonly (infer R)[] } ? R : never;

/** The names of the variables any of roles `R` reads. */
export type NamesReadBy<S extends Schema, R extends Role> = {
  [N in keyof S]: [Extract<R, ReadByOf<S[N]>>] extends [never] ? never : N;
}[keyof S];

/** Whether the variable always has a value for roles `R`: a default, or required by every one of them that reads it. */
type AlwaysSet<V, R extends Role> = V extends { readonly default: unknown } | { readonly computedDefault: unknown }
  ? true
  : [Exclude<Extract<R, ReadByOf<V>>, RequiredByOf<V>>] extends [never]
    ? true
    : false;

/** A variable's value once its default is filled: `null` only where it has none. */
export type SettledValueOf<V> = V extends { readonly default: unknown } | { readonly computedDefault: unknown } ? ValueOf<V> : ValueOf<V> | null;

/** The frozen object roles `R` get: one field per variable they read, `null` where unset without a default. */
export type ConfigOf<S extends Schema, R extends Role> = {
  readonly [N in NamesReadBy<S, R> as S[N]['key']]: AlwaysSet<S[N], R> extends true ? ValueOf<S[N]> : ValueOf<S[N]> | null;
};

/** Only what the environment sets for roles `R` (no defaults): for layering over another source, such as a file. */
export type GivenOf<S extends Schema, R extends Role> = {
  readonly [N in NamesReadBy<S, R> as S[N]['key']]?: ValueOf<S[N]>;
};

/** The variable's default (computed now if it is computed), or null. */
export function defaultOf<T>(variable: Variable<T>): T | null {
  if (variable.default !== undefined) return variable.default;
  return variable.computedDefault === undefined ? null : variable.computedDefault.compute();
}
