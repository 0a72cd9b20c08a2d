// Parsers for option values; every failure names the option, what it accepts and the value passed.
import { existsSync, statSync } from 'node:fs';
import { usageError } from './cli-error.ts';

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function fail(option: string, allowed: string, value: string): never {
  throw usageError(`--${option} must be ${allowed}. Passed: ${value}`);
}

function parseNumberText(text: string): number | null {
  return NUMBER.test(text.trim()) ? Number(text) : null;
}

/** A number in [min, max]. */
export function numberInRange(option: string, text: string, min: number, max: number): number {
  const value = parseNumberText(text);
  if (value === null || value < min || value > max) fail(option, `between ${min} and ${max}`, text);
  return value;
}

/** An integer in [min, max]. */
export function integerInRange(option: string, text: string, min: number, max: number): number {
  const value = parseNumberText(text);
  if (value === null || !Number.isInteger(value) || value < min || value > max) {
    fail(option, `an integer between ${min} and ${max}`, text);
  }
  return value;
}

/** One of a fixed list of words. */
export function oneOf<T extends string>(option: string, text: string, allowed: readonly T[]): T {
  const found = allowed.find((word) => word === text);
  if (found === undefined) fail(option, `one of ${allowed.join(', ')}`, text);
  return found;
}

/** `count` comma-separated numbers, each checked by `check` (which names the part in its message). */
export function numberList(option: string, text: string, count: number, what: string): number[] {
  const parts = text.split(',').map((part) => parseNumberText(part));
  if (parts.length !== count || parts.some((part) => part === null)) fail(option, what, text);
  return parts.filter((part): part is number => part !== null);
}

/** A comma-separated list of distinct words from `allowed`, at least one. */
export function wordList<T extends string>(option: string, text: string, allowed: readonly T[]): T[] {
  const words = text.split(',').map((word) => word.trim());
  const what = `a comma-separated list of distinct values from ${allowed.join(', ')}`;
  if (words.length === 0 || words.some((w) => !allowed.includes(w as T)) || new Set(words).size !== words.length) {
    fail(option, what, text);
  }
  return words as T[];
}

/** An existing regular file. */
export function existingFile(option: string, path: string): string {
  if (!existsSync(path) || !statSync(path).isFile()) fail(option, 'an existing file', path);
  return path;
}

/** An existing directory holding `requiredFile`. */
export function existingDirectoryWith(option: string, path: string, requiredFile: string): string {
  if (!existsSync(path) || !statSync(path).isDirectory() || !existsSync(`${path}/${requiredFile}`)) {
    fail(option, `a folder that holds ${requiredFile}`, path);
  }
  return path;
}
