// Command-line flags derived from the option model (@portrait-farm/contracts): each option of JobOptionsSchema and
// RenderProcessOptionsSchema becomes a flag named in kebab case (controls are flattened: --head-distance), with its
// value syntax, help line and checks read from its schema.
import { JobOptionsSchema, RenderProcessOptionsSchema, describeSchema, findViolation, type JsonSchema, type SchemaViolation } from '@portrait-farm/contracts';
import { usageError } from './cli-error.ts';
import { parseNumberText } from './option-values.ts';

export type FlagGroup = 'Rendering' | 'Controls' | 'Face choice';

export interface OptionFlag {
  /** e.g. "head-distance" */
  flag: string;
  /** Where its value goes in the options object, e.g. ["controls", "headDistance"]. */
  path: readonly string[];
  schema: JsonSchema;
  group: FlagGroup;
}

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function propertiesOf(schema: JsonSchema): Array<[string, JsonSchema]> {
  return Object.entries((schema['properties'] ?? {}) as Record<string, JsonSchema>);
}

function flagsOf(schema: JsonSchema, prefix: readonly string[], group: (name: string) => FlagGroup): OptionFlag[] {
  return propertiesOf(schema).flatMap(([name, property]) =>
    name === 'controls'
      ? flagsOf(property, [...prefix, name], () => 'Controls')
      : [{ flag: kebab(name), path: [...prefix, name], schema: property, group: group(name) }],
  );
}

/** Every option flag, in the schemas' order. */
export const OPTION_FLAGS: readonly OptionFlag[] = Object.freeze([
  ...flagsOf(JobOptionsSchema, [], (name) => (name.startsWith('face') ? 'Face choice' : 'Rendering')),
  ...flagsOf(RenderProcessOptionsSchema, [], () => 'Rendering'),
]);

function objectPart(schema: JsonSchema): JsonSchema | undefined {
  if (schema['type'] === 'object') return schema;
  return ((schema['anyOf'] ?? []) as JsonSchema[]).find((branch) => branch['type'] === 'object');
}

function constPart(schema: JsonSchema): string | undefined {
  const found = ((schema['anyOf'] ?? []) as JsonSchema[]).find((branch) => typeof branch['const'] === 'string');
  return found?.['const'] as string | undefined;
}

/** How the value is written: N, X, full|crop, LIST, X,Y,WIDTH,HEIGHT, X,Y|camera. */
export function valueSyntax(schema: JsonSchema): string {
  const object = objectPart(schema);
  const word = constPart(schema);
  if (object !== undefined) {
    const fields = propertiesOf(object).map(([name]) => name.toUpperCase()).join(',');
    return word === undefined ? fields : `${fields}|${word}`;
  }
  if (Array.isArray(schema['enum'])) return (schema['enum'] as string[]).length > 2 ? 'NAME' : (schema['enum'] as string[]).join('|');
  if (schema['type'] === 'integer') return 'N';
  if (schema['type'] === 'number') return 'X';
  if (schema['type'] === 'array') return 'LIST';
  return 'VALUE';
}

/** The text of a flag as the JSON value its schema checks (numbers stay text when they do not parse). */
export function flagValue(schema: JsonSchema, text: string): unknown {
  const word = constPart(schema);
  if (word !== undefined && text === word) return word;
  const object = objectPart(schema);
  if (object !== undefined) {
    const names = propertiesOf(object).map(([name]) => name);
    const parts = text.split(',').map((part) => part.trim());
    if (parts.length !== names.length) return text;
    return Object.fromEntries(names.map((name, i) => [name, parseNumberText(parts[i]!) ?? parts[i]]));
  }
  if (schema['type'] === 'integer' || schema['type'] === 'number') return parseNumberText(text) ?? text;
  if (schema['type'] === 'array') return text.split(',').map((part) => part.trim());
  return text;
}

/** The fields of an object value grouped by what they accept: [["X", "Y"], schema of x]. */
function fieldGroups(object: JsonSchema): Array<[string[], JsonSchema]> {
  const groups = new Map<string, [string[], JsonSchema]>();
  for (const [name, property] of propertiesOf(object)) {
    const key = describeSchema(property);
    const group = groups.get(key) ?? [[], property];
    group[0].push(name.toUpperCase());
    groups.set(key, group);
  }
  return [...groups.values()];
}

function rangeOf(schema: JsonSchema): string {
  const { minimum: min, maximum: max } = schema as { minimum?: number; maximum?: number };
  return typeof min === 'number' && typeof max === 'number' ? `${min} to ${max}` : '';
}

function rangeText(schema: JsonSchema): string {
  const object = objectPart(schema);
  if (object !== undefined) return fieldGroups(object).map(([names, field]) => `${names.join(' and ')} ${rangeOf(field)}`).join(', ');
  const items = schema['items'] as JsonSchema | undefined;
  if (items !== undefined && Array.isArray(items['enum'])) return `from ${(items['enum'] as string[]).join(', ')}`;
  if (Array.isArray(schema['enum']) && (schema['enum'] as string[]).length > 2) return `one of ${(schema['enum'] as string[]).join(', ')}`;
  return rangeOf(schema);
}

const HELP_WIDTH = 100;
const HELP_INDENT = 28;

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return line === '' ? lines : [...lines, line];
}

/**
 * A flag's help: its syntax, its description, what it accepts and its default, wrapped to 100 columns:
 * "--fps N   Output frames per second; 12 to 60 (default: 25)". A description's closing "Default: ..." sentence is
 * read as the default where the schema has none (the pack's, the model's).
 */
export function helpLine(option: OptionFlag): string {
  const left = `  --${option.flag} ${valueSyntax(option.schema)}`;
  const description = inFlagWords(String(option.schema['description'] ?? ''));
  const stated = /\s*Default: ([^.]*(?:\.\d[^.]*)*)\.$/.exec(description);
  const sentence = (stated === null ? description : description.slice(0, stated.index)).replace(/\.$/, '');
  const range = rangeText(option.schema);
  const fallback = option.schema['default'] === undefined ? stated?.[1] : String(option.schema['default']);
  const text = `${sentence}${range === '' ? '' : `; ${range}`}${fallback === undefined ? '' : ` (default: ${fallback})`}`;
  const lines = wrap(text, HELP_WIDTH - HELP_INDENT);
  const pad = ' '.repeat(HELP_INDENT);
  const first = left.length < HELP_INDENT - 1 ? [`${left.padEnd(HELP_INDENT)}${lines.shift() ?? ''}`] : [left];
  return [...first, ...lines.map((line) => `${pad}${line}`)].join('\n');
}

/** The flag a violation at `path` belongs to, with the rest of the path ("--face-box width"). */
export function flagName(path: readonly string[]): string {
  const option = [...OPTION_FLAGS].sort((a, b) => b.path.length - a.path.length).find((o) => o.path.every((part, i) => path[i] === part));
  if (option === undefined) return path.join('.');
  const rest = path.slice(option.path.length).filter((part) => !/^\d+$/.test(part));
  return rest.length === 0 ? `--${option.flag}` : `--${option.flag} ${rest.join('.')}`;
}

/** Names the API gives options of two words (faceIndex) as the flags a person types (--face-index). */
export function inFlagWords(sentence: string): string {
  return OPTION_FLAGS.filter((option) => option.flag.includes('-')).reduce((text, option) => text.replace(new RegExp(`\\b${option.path.at(-1)!}\\b`, 'g'), `--${option.flag}`), sentence);
}

/** A usage error for a violation, quoting the text the person typed. */
export function violationError(violation: SchemaViolation, typed: ReadonlyMap<string, string>): Error {
  if (violation.rule !== undefined) return usageError(inFlagWords(violation.rule));
  const name = flagName(violation.path);
  const flag = name.split(' ')[0]!;
  const option = OPTION_FLAGS.find((o) => `--${o.flag}` === flag);
  const expected = option !== undefined && name === flag ? describeForFlag(option.schema) : violation.expected;
  return usageError(`${name} must be ${expected}. Passed: ${typed.get(flag) ?? String(violation.received)}`);
}

function describeForFlag(schema: JsonSchema): string {
  const object = objectPart(schema);
  if (object === undefined) {
    const items = schema['items'] as JsonSchema | undefined;
    return items !== undefined ? `a comma-separated list of distinct values from ${(items['enum'] as string[]).join(', ')}` : describeSchema(schema);
  }
  const word = constPart(schema);
  const each = fieldGroups(object).map(([names, field]) => `${names.join(' and ')} ${names.length > 1 ? 'each ' : ''}${describeSchema(field)}`).join(', ');
  return `${word === undefined ? '' : `"${word}" or `}${valueSyntax(object)} with ${each}`;
}

/** Sets `value` at `path` in `target`, making the objects on the way. */
export function setAt(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const part of path.slice(0, -1)) {
    node[part] ??= {};
    node = node[part] as Record<string, unknown>;
  }
  node[path.at(-1)!] = value;
}

/** Checks the options made from flags against both schemas; throws a usage error naming the flag. */
export function checkOptionFlags(options: Record<string, unknown>, typed: ReadonlyMap<string, string>): void {
  const isProcessOption = (name: string): boolean => name in RenderProcessOptionsSchema.properties;
  const part = (wanted: boolean): Record<string, unknown> => Object.fromEntries(Object.entries(options).filter(([name]) => isProcessOption(name) === wanted));
  for (const [schema, value] of [[JobOptionsSchema, part(false)], [RenderProcessOptionsSchema, part(true)]] as const) {
    const violation = findViolation(schema, value);
    if (violation !== null) throw violationError(violation, typed);
  }
}
