import { PackError, type PackErrorCode } from './errors.ts';
import { quote } from './display-path.ts';

type Json = Record<string, unknown>;

/** Reads fields of one manifest object, throwing PackError messages that name the manifest and the field. */
export class FieldReader {
  constructor(
    private readonly label: string,
    private readonly object: Json,
    private readonly prefix = '',
  ) {}

  private fail(code: PackErrorCode, field: string, expected: string, found: unknown): never {
    throw new PackError(code, `${this.label}: field "${this.prefix}${field}" must be ${expected}. Found: ${quote(found)}`);
  }

  raw(field: string): unknown {
    return this.object[field];
  }

  has(field: string): boolean {
    return this.object[field] !== undefined;
  }

  object_(field: string, code: PackErrorCode = 'PACK_FIELD'): FieldReader {
    const value = this.object[field];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(code, field, 'an object', value);
    return new FieldReader(this.label, value as Json, `${this.prefix}${field}.`);
  }

  entries(): Array<[string, unknown]> {
    return Object.entries(this.object);
  }

  string(field: string, code: PackErrorCode = 'PACK_FIELD'): string {
    const value = this.object[field];
    if (typeof value !== 'string' || value.trim() === '') this.fail(code, field, 'a non-empty string', value);
    return value;
  }

  oneOf<T extends string>(field: string, allowed: readonly T[], code: PackErrorCode = 'PACK_FIELD'): T {
    const value = this.object[field];
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) this.fail(code, field, `one of ${allowed.join(', ')}`, value);
    return value as T;
  }

  number(field: string, min: number, max: number, code: PackErrorCode = 'PACK_FIELD'): number {
    const value = this.object[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) this.fail(code, field, `a number between ${min} and ${max}`, value);
    return value;
  }

  integer(field: string, min: number, max: number, code: PackErrorCode = 'PACK_FIELD'): number {
    const value = this.object[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) this.fail(code, field, `an integer between ${min} and ${max}`, value);
    return value;
  }

  exactly<T extends string | number>(field: string, expected: T, why: string, code: PackErrorCode): T {
    const value = this.object[field];
    if (value !== expected) this.fail(code, field, `${quote(expected)} (${why})`, value);
    return expected;
  }

  numbers(field: string, length: number, code: PackErrorCode): number[] {
    const value = this.object[field];
    if (!Array.isArray(value) || value.length !== length || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      const found = Array.isArray(value) ? `an array of ${value.length} values` : quote(value);
      throw new PackError(code, `${this.label}: field "${this.prefix}${field}" must be an array of ${length} finite numbers (one per motion channel). Found: ${found}`);
    }
    return value as number[];
  }
}
