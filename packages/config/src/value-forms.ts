import { resolve } from 'node:path';
import { Type, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { maskSecret, maskUrl, quote } from './mask.ts';

/** The forms a variable's text may take; the table's "Form" column. */
export type FormKind = 'url' | 'integer' | 'flag' | 'list' | 'pairs' | 'path' | 'enum' | 'text' | 'secret';

/** A parse that worked, or why it did not (`reason` only where `expected` does not already say it). */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string | null };

/** How one variable's text is read, checked, shown and documented. */
export interface ValueForm<T> {
  readonly kind: FormKind;
  /** What a valid value looks like, as words that follow "must be": "an integer from 1 to 32". */
  readonly expected: string;
  /** The parsed value as a JSON schema (TypeBox): checks values given in code or a JSON file. */
  readonly schema: TSchema;
  /** Reads the text of the variable (already known to be non-empty). */
  parse(text: string): Parsed<T>;
  /** Checks a value given in code or a JSON file instead of the environment (strings are parsed like text). */
  check(value: unknown): Parsed<T>;
  /** The text as an error may show it: quoted, with secrets and URL passwords masked. */
  show(text: string): string;
  /** A value (a default) as the table shows it. */
  format(value: T): string;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const refuse = (reason: string | null = null): Parsed<never> => ({ ok: false, reason });

/** Checks a value given in code against the form's schema; strings go through `parse`. */
function checker<T>(schema: TSchema, parse: ((text: string) => Parsed<T>) | null): (value: unknown) => Parsed<T> {
  return (value) => {
    if (typeof value === 'string' && parse !== null) return parse(value);
    return Value.Check(schema, value) ? ok(value as T) : refuse();
  };
}

/** A whole number from `min` to `max`. */
export function integer(min: number, max: number, unit = ''): ValueForm<number> {
  const schema = Type.Integer({ minimum: min, maximum: max });
  const suffix = unit === '' ? '' : ` (${unit})`;
  return Object.freeze({
    kind: 'integer',
    expected: `an integer from ${min} to ${max}${suffix}`,
    schema,
    parse(text: string) {
      const trimmed = text.trim();
      if (!/^-?\d+$/.test(trimmed)) return refuse('not a whole number');
      const value = Number(trimmed);
      return value >= min && value <= max ? ok(value) : refuse();
    },
    check: checker<number>(schema, null),
    show: (text: string) => quote(text),
    format: (value: number) => String(value),
  });
}

/** On or off: 1, 0, true or false. */
export function flag(): ValueForm<boolean> {
  const schema = Type.Boolean();
  return Object.freeze({
    kind: 'flag',
    expected: '1, 0, true or false',
    schema,
    parse(text: string) {
      const value = text.trim().toLowerCase();
      if (value === '1' || value === 'true') return ok(true);
      if (value === '0' || value === 'false') return ok(false);
      return refuse();
    },
    check: checker<boolean>(schema, null),
    show: (text: string) => quote(text),
    format: (value: boolean) => (value ? '1' : '0'),
  });
}

/** Text matching `pattern`, described by `expected`. */
export function text(pattern: RegExp, expected: string): ValueForm<string> {
  const schema = Type.String({ pattern: pattern.source });
  const parse = (value: string): Parsed<string> => (pattern.test(value) ? ok(value) : refuse());
  return Object.freeze({ kind: 'text', expected, schema, parse, check: checker(schema, parse), show: quote, format: (value: string) => value });
}

/** A secret of at least `minLength` characters: never shown, only its length. */
export function secret(minLength: number): ValueForm<string> {
  const schema = Type.String({ minLength });
  const parse = (value: string): Parsed<string> => (value.length >= minLength ? ok(value) : refuse());
  return Object.freeze({
    kind: 'secret',
    expected: `a secret of at least ${minLength} characters`,
    schema,
    parse,
    check: checker(schema, parse),
    show: maskSecret,
    format: () => '***',
  });
}

/** An absolute URL of one of `protocols` (e.g. ['redis:', 'rediss:']); its password is masked when shown. */
export function url(protocols: readonly string[]): ValueForm<string> {
  const schema = Type.String({ minLength: 1 });
  const names = protocols.map((p) => `${p}//`);
  const parse = (value: string): Parsed<string> => {
    let parsed: URL;
    try {
      parsed = new URL(value.trim());
    } catch {
      return refuse('not a valid absolute URL');
    }
    return protocols.includes(parsed.protocol) ? ok(value.trim()) : refuse(`${parsed.protocol}// is not one of them`);
  };
  return Object.freeze({
    kind: 'url',
    expected: `an absolute ${names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`} URL`,
    schema,
    parse,
    check: checker(schema, parse),
    show: (value: string) => quote(maskUrl(value)),
    format: (value: string) => value,
  });
}

/** Where objects are stored: a folder path or a storage driver's URL, kept as given (the storage package opens it). */
export function storageLocation(): ValueForm<string> {
  const schema = Type.String({ minLength: 1 });
  const parse = (value: string): Parsed<string> => {
    const trimmed = value.trim();
    if (trimmed === '') return refuse('empty');
    const schemed = /^[a-z][a-z0-9+.-]+:/i.test(trimmed) && !/^[a-z]:[\\/]/i.test(trimmed);
    if (!schemed) return ok(trimmed);
    try {
      new URL(trimmed);
      return ok(trimmed);
    } catch {
      return refuse('not a valid URL');
    }
  };
  return Object.freeze({
    kind: 'url',
    expected: 'a folder path or a storage URL (file:///dir, s3://bucket/prefix?endpoint=...&region=...)',
    schema,
    parse,
    check: checker(schema, parse),
    show: (value: string) => quote(maskUrl(value)),
    format: (value: string) => value,
  });
}

/** A file or folder path, resolved against the working directory when read. */
export function path(what: 'file' | 'folder'): ValueForm<string> {
  const schema = Type.String({ minLength: 1 });
  const parse = (value: string): Parsed<string> => (value.trim() === '' ? refuse('empty') : ok(resolve(value.trim())));
  return Object.freeze({ kind: 'path', expected: `a ${what} path`, schema, parse, check: checker(schema, parse), show: quote, format: (value: string) => value });
}

/** One of a fixed set of words (case-insensitive). */
export function oneOf<const T extends string>(values: readonly T[]): ValueForm<T> {
  const schema = Type.Union(values.map((v) => Type.Literal(v)));
  const parse = (value: string): Parsed<T> => {
    const word = value.trim().toLowerCase();
    return (values as readonly string[]).includes(word) ? ok(word as T) : refuse();
  };
  return Object.freeze({ kind: 'enum', expected: `one of ${values.join(', ')}`, schema, parse, check: checker(schema, parse), show: quote, format: (value: T) => value });
}

/** Options of {@link list}. */
export interface ListOptions<T> {
  /** What the whole list must be, as words. @defaultValue "a comma list of" + the item's form */
  expected?: string;
  /** A word that stands for a whole list (e.g. "auto" for every provider in preference order). */
  auto?: { readonly word: string; readonly value: readonly T[] };
}

/**
 * A comma list of items of one form; blank entries (a trailing comma) are skipped, a text without entries is refused.
 * In code (`check`) an empty array is a list like any other.
 */
export function list<T>(item: ValueForm<T>, options: ListOptions<T> = {}): ValueForm<readonly T[]> {
  const schema = Type.Array(item.schema);
  const auto = options.auto ?? null;
  const parse = (value: string): Parsed<readonly T[]> => {
    if (auto !== null && value.trim().toLowerCase() === auto.word) return ok(Object.freeze([...auto.value]));
    const entries = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (entries.length === 0) return refuse('no entries');
    const items: T[] = [];
    for (const [i, entry] of entries.entries()) {
      const parsed = item.parse(entry);
      if (!parsed.ok) return refuse(`entry ${i + 1}, ${item.show(entry)}, is not ${item.expected}${parsed.reason === null ? '' : `: ${parsed.reason}`}`);
      items.push(parsed.value);
    }
    return ok(Object.freeze(items));
  };
  return Object.freeze({
    kind: 'list',
    expected: options.expected ?? `a comma list of ${item.expected}`,
    schema,
    parse,
    check(value: unknown): Parsed<readonly T[]> {
      if (typeof value === 'string') return parse(value);
      if (!Array.isArray(value)) return refuse();
      for (const entry of value as unknown[]) if (!item.check(entry).ok) return refuse();
      return ok(Object.freeze([...(value as T[])]));
    },
    show: quote,
    format: (value: readonly T[]) => value.map((v) => item.format(v)).join(','),
  });
}

/** The non-tenant side of a `tenant:value` pair: its name in messages, its check, whether it is a secret. */
export interface PairSide {
  /** "key", "whsec_<base64>": how the entries are written in `expected`. */
  readonly name: string;
  /** Why the text is refused, or null. Must not quote the text: it may be a secret. */
  readonly check: (text: string) => string | null;
  readonly secret: boolean;
}

/** Options of {@link tenantPairs}. */
export interface TenantPairsOptions {
  /** Which side of the ':' holds the tenant id; the entry is split at the ':' next to it, as tenant ids hold none. */
  readonly tenantSide: 'left' | 'right';
  /** Why a tenant id is refused, or null. */
  readonly tenantCheck: (tenant: string) => string | null;
  readonly other: PairSide;
  /** Whether a value may appear only once (an API key; a tenant may have two webhook secrets while rotating). */
  readonly uniqueOther: boolean;
  /** What follows the list's description, e.g. "(a tenant listed twice signs with both secrets)". */
  readonly note?: string;
}

/**
 * A comma list of `tenant:value` or `value:tenant` pairs, as [left, right] in the order written. Tenant ids contain no
 * ':', so each entry is split at the ':' next to the tenant: a value may hold ':' (an API key), a tenant never does.
 * Shown masked: the secret side of a valid entry as ***, an invalid entry (perhaps written the wrong way round) whole.
 */
export function tenantPairs(options: TenantPairsOptions): ValueForm<ReadonlyArray<readonly [string, string]>> {
  const schema = Type.Array(Type.Tuple([Type.String(), Type.String()]), { minItems: 1 });
  const { tenantSide, other } = options;
  const entryForm = tenantSide === 'left' ? `tenant:${other.name}` : `${other.name}:tenant`;
  /** The entry as [left, right], or why it is refused (never quoting it). */
  const read = (entry: string): readonly [string, string] | string => {
    const at = tenantSide === 'left' ? entry.indexOf(':') : entry.lastIndexOf(':');
    if (at <= 0 || at === entry.length - 1) return `not written ${entryForm}`;
    const pair = [entry.slice(0, at), entry.slice(at + 1)] as const;
    const [tenant, otherText] = tenantSide === 'left' ? pair : [pair[1], pair[0]];
    const tenantProblem = options.tenantCheck(tenant);
    if (tenantProblem !== null) return `the tenant id ${tenantProblem}`;
    const otherProblem = other.check(otherText);
    return otherProblem === null ? pair : otherProblem;
  };
  const parse = (value: string): Parsed<ReadonlyArray<readonly [string, string]>> => {
    const entries = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (entries.length === 0) return refuse('no entries');
    const pairs: Array<readonly [string, string]> = [];
    const seen = new Map<string, number>();
    for (const [i, entry] of entries.entries()) {
      const pair = read(entry);
      if (typeof pair === 'string') return refuse(`entry ${i + 1}: ${pair}`);
      const otherText = tenantSide === 'left' ? pair[1] : pair[0];
      const before = seen.get(otherText);
      if (options.uniqueOther && before !== undefined) return refuse(`entry ${i + 1}: the ${other.name} of entry ${before} again`);
      seen.set(otherText, i + 1);
      pairs.push(Object.freeze(pair));
    }
    return ok(Object.freeze(pairs));
  };
  const maskEntry = (entry: string): string => {
    if (!other.secret) return entry;
    const pair = read(entry);
    if (typeof pair === 'string') return '***';
    return tenantSide === 'left' ? `${pair[0]}:***` : `***:${pair[1]}`;
  };
  return Object.freeze({
    kind: 'pairs',
    expected: `a comma list of ${entryForm}${options.note === undefined ? '' : ` ${options.note}`}`,
    schema,
    parse,
    check(value: unknown): Parsed<ReadonlyArray<readonly [string, string]>> {
      if (typeof value === 'string') return parse(value);
      return Value.Check(schema, value) ? parse((value as Array<[string, string]>).map(([a, b]) => `${a}:${b}`).join(',')) : refuse();
    },
    show: (value: string) => quote(value.split(',').map((entry) => maskEntry(entry.trim())).join(',')),
    format: (value: ReadonlyArray<readonly [string, string]>) => value.map(([a, b]) => maskEntry(`${a}:${b}`)).join(','),
  });
}
