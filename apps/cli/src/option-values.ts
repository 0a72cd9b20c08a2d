// Parsers for option values; every failure names the option, what it accepts and the value passed.
import { existsSync, statSync } from 'node:fs';
import { usageError } from './cli-error.ts';

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function fail(option: string, allowed: string, value: string): never {
  throw usageError(`--${option} must be ${allowed}. Passed: ${value}`);
}

/** A number written in decimal or exponent notation, or null. */
export function parseNumberText(text: string): number | null {
  return NUMBER.test(text.trim()) ? Number(text) : null;
}

/** An integer in [min, max]. */
export function integerInRange(option: string, text: string, min: number, max: number): number {
  const value = parseNumberText(text);
  if (value === null || !Number.isInteger(value) || value < min || value > max) {
    fail(option, `an integer between ${min} and ${max}`, text);
  }
  return value;
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
