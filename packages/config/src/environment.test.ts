import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configurationTable } from './configuration-table.ts';
import { ENVIRONMENT } from './environment.ts';
import { defaultOf, ROLES } from './variable.ts';
import type { Variable } from './variable.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const variables: Array<[string, Variable<unknown>]> = Object.entries(ENVIRONMENT);

/**
 * Files of the repository that may name a variable: code, compose and image files, scripts, documentation. Not
 * dependencies, not tests and not this package: they name misspelt variables on purpose.
 */
function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!['node_modules', '.git', '.cache', 'out', 'fixtures'].includes(entry.name) && !entry.name.startsWith('.')) files.push(...sourceFiles(path));
    } else if (/\.(ts|mjs|js|ya?ml|py|sh|md)$|^Dockerfile/.test(entry.name) && !/\.test\.ts$/.test(entry.name) && !relative(ROOT, path).startsWith('packages/config/')) {
      files.push(path);
    }
  }
  return files;
}

describe('the environment schema', () => {
  it('describes every variable fully', () => {
    for (const [name, variable] of variables) {
      expect(name, name).toMatch(/^(PORTRAIT_FARM_[A-Z0-9_]+|PORT|HOST)$/);
      expect(variable.description.length, name).toBeGreaterThan(10);
      expect(variable.description, name).not.toContain('\n');
      expect(variable.readBy.length, name).toBeGreaterThan(0);
      for (const role of variable.requiredBy ?? []) expect(variable.readBy, name).toContain(role);
      const explained = variable.default !== undefined || variable.computedDefault !== undefined || variable.unset !== undefined;
      expect(explained, `${name} says what happens when it is unset`).toBe(true);
      const fallback = defaultOf(variable);
      if (fallback !== null) expect(variable.form.check(fallback).ok, `${name}'s default passes its own form`).toBe(true);
    }
  });

  it('gives each role one field per variable', () => {
    for (const role of ROLES) {
      const keys = variables.filter(([, v]) => v.readBy.includes(role)).map(([, v]) => v.key);
      expect(new Set(keys).size, role).toBe(keys.length);
    }
  });

  it('knows every PORTRAIT_FARM_* variable the repository names', () => {
    // Read in an agent's process by @portrait-farm/livekit-plugin (where its gateway is, its API key), not by the farm.
    const clientSide = ['PORTRAIT_FARM_URL', 'PORTRAIT_FARM_API_KEY'];
    const known = new Set([...Object.keys(ENVIRONMENT), ...clientSide]);
    const unknown = new Set<string>();
    for (const file of sourceFiles(ROOT)) {
      for (const [name] of readFileSync(file, 'utf8').matchAll(/\bPORTRAIT_FARM_[A-Z0-9_]*[A-Z0-9]\b/g)) {
        if (!known.has(name)) unknown.add(`${name} (${relative(ROOT, file)})`);
      }
    }
    expect([...unknown]).toEqual([]);
  }, 60_000);

  it('is the table committed in docs/configuration.md (regenerate: npm run table -w @portrait-farm/config)', () => {
    expect(readFileSync(join(ROOT, 'docs/configuration.md'), 'utf8')).toBe(configurationTable());
  });
});
