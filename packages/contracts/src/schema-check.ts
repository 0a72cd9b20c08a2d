import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

/** A JSON Schema as plain data (TypeBox schemas are such objects). */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** Why a value failed its schema: where (a path of property names), the message, and the value found there. */
export interface SchemaViolation {
  path: readonly string[];
  /** What the value must be, e.g. "an integer between 12 and 60", or the rule's own sentence. */
  expected: string;
  /** The offending value (undefined for a missing or unknown property). */
  received: unknown;
  /** An unknown property's name. */
  unknownProperty?: string;
  /** Known properties where a property was unknown. */
  known?: readonly string[];
  /** The rule's own description, for rules that tie properties together (not, if/then). */
  rule?: string;
}

/**
 * A JSON Schema 2020-12 validator set up the way every check of the project reads its errors: all errors, with the
 * failing value and schema (see {@link violationFromErrors}). `coerceTypes` only for text inputs (query strings).
 */
export function createValidator(options: { coerceTypes?: boolean } = {}): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false, coerceTypes: options.coerceTypes ?? false, useDefaults: false });
  ajv.addFormat('uri', { type: 'string', validate: (text: string) => URL.canParse(text) });
  ajv.addFormat('date-time', { type: 'string', validate: (text: string) => !Number.isNaN(Date.parse(text)) });
  return ajv;
}

let shared: Ajv2020 | null = null;
const compiled = new WeakMap<object, ValidateFunction>();

function validatorOf(schema: JsonSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    shared ??= createValidator();
    validate = shared.compile(schema as Record<string, unknown>);
    compiled.set(schema, validate);
  }
  return validate;
}

function formatNumber(value: number): string {
  return Number.isInteger(value) || Math.abs(value) >= 0.001 ? String(value) : value.toExponential();
}

/** What a schema accepts, as words: "an integer between 12 and 60", "one of full, crop", '"camera" or {x, y} ...'. */
export function describeSchema(schema: JsonSchema): string {
  if (Array.isArray(schema['enum'])) return `one of ${(schema['enum'] as unknown[]).join(', ')}`;
  if (schema['const'] !== undefined) return JSON.stringify(schema['const']);
  if (Array.isArray(schema['anyOf'])) return (schema['anyOf'] as JsonSchema[]).map(describeSchema).join(' or ');
  const type = schema['type'];
  const min = schema['minimum'];
  const max = schema['maximum'];
  const range = typeof min === 'number' && typeof max === 'number' ? ` between ${formatNumber(min)} and ${formatNumber(max)}` : typeof min === 'number' ? ` of at least ${formatNumber(min)}` : '';
  if (type === 'integer') return `an integer${range}`;
  if (type === 'number') return `a number${range}`;
  if (type === 'boolean') return 'true or false';
  if (type === 'string') return 'a string';
  if (type === 'array') {
    const items = schema['items'] as JsonSchema | undefined;
    return `a list of distinct values, each ${items === undefined ? 'anything' : describeSchema(items)}`;
  }
  if (type === 'object') {
    const properties = Object.entries((schema['properties'] ?? {}) as Record<string, JsonSchema>);
    const parts = properties.map(([name]) => name).join(', ');
    const shared = properties.length > 0 && properties.every(([, p]) => describeSchema(p) === describeSchema(properties[0]![1]));
    return shared ? `{${parts}}, each ${describeSchema(properties[0]![1])}` : `an object {${parts}}`;
  }
  return 'valid';
}

function pathOf(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const isRule = (e: ErrorObject): boolean => e.keyword === 'not' || e.keyword === 'if' || e.schemaPath.includes('/then/');

/**
 * The violation to report: a union's own error rather than its branches' (it says what every branch accepts), and a
 * value's own problem before a rule that ties it to another option.
 */
function pickError(errors: readonly ErrorObject[]): ErrorObject {
  const candidates = errors.filter((e) => !e.schemaPath.includes('/anyOf/') && e.keyword !== 'if');
  return candidates.find((e) => !isRule(e)) ?? candidates[0] ?? errors[0]!;
}

function violationOf(error: ErrorObject): SchemaViolation {
  const path = pathOf(error.instancePath);
  const parent = (error.parentSchema ?? {}) as JsonSchema;
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = (error.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys((parent['properties'] ?? {}) as object);
      return { path: [...path, name], expected: `not a known option; known: ${known.join(', ')}`, received: undefined, unknownProperty: name, known };
    }
    case 'required': {
      const name = (error.params as { missingProperty: string }).missingProperty;
      const rule = error.schemaPath.includes('/then/') && typeof parent['description'] === 'string' ? parent['description'] : undefined;
      return { path: [...path, name], expected: rule ?? 'required', received: undefined, ...(rule === undefined ? {} : { rule }) };
    }
    case 'not': {
      const rule = ((error.schema as JsonSchema | undefined)?.['description'] as string | undefined) ?? 'a forbidden combination';
      return { path, expected: rule, received: error.data, rule };
    }
    case 'uniqueItems':
      return { path, expected: `${describeSchema(parent)} (no repeats)`, received: error.data };
    case 'type':
    case 'anyOf':
    case 'enum':
    case 'const':
    case 'minimum':
    case 'maximum':
    case 'minItems':
      return { path, expected: describeSchema(parent), received: error.data };
    default:
      return { path, expected: error.message ?? 'valid', received: error.data };
  }
}

/** The violation to report from a validator's errors (a union's own error, a value's problem before a rule's). */
export function violationFromErrors(errors: readonly ErrorObject[]): SchemaViolation {
  return violationOf(pickError(errors));
}

/** Checks `value` against `schema`; returns the first violation, or null when it conforms. */
export function findViolation(schema: JsonSchema, value: unknown): SchemaViolation | null {
  const validate = validatorOf(schema);
  if (validate(value)) return null;
  return violationFromErrors(validate.errors ?? []);
}

/** The value as a short text for messages (80 characters at most). */
export function showValue(value: unknown): string {
  // JSON.stringify shows these as null; 1e999 in a JSON body arrives as Infinity.
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : `${value} (a number beyond the range of a double)`;
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 80)}...` : text;
}

/**
 * A violation as one sentence, naming the option by `name(path)`: "options.fps must be an integer between 12 and 60.
 * Received: 61". Rules that tie options together give their own sentence.
 */
export function violationMessage(violation: SchemaViolation, name: (path: readonly string[]) => string, received = 'Received'): string {
  if (violation.unknownProperty !== undefined) {
    return `${name(violation.path)} is not a known option; known: ${(violation.known ?? []).join(', ')}.`;
  }
  if (violation.rule !== undefined) return violation.path.length === 0 ? violation.rule : `${name(violation.path)}: ${violation.rule}`;
  if (violation.received === undefined) return `${name(violation.path)} is required.`;
  return `${name(violation.path)} must be ${violation.expected}. ${received}: ${showValue(violation.received)}`;
}
