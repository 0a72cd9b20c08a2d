import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The workspace's structure, checked: what each package imports it declares (its tests too), no file imports a
// relative path outside its workspace, its build references match, packages never import apps, and the dependency
// graph has no cycle. Tests under test/ at the root may import anything. ARCHITECTURE.md describes the layers.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Workspace {
  name: string;
  dir: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

const workspaces: Workspace[] = ['packages', 'apps'].flatMap((group) =>
  readdirSync(join(ROOT, group)).map((name) => {
    const dir = join(ROOT, group, name);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Partial<Workspace>;
    return { name: pkg.name!, dir, dependencies: pkg.dependencies ?? {}, devDependencies: pkg.devDependencies ?? {} };
  }),
);
const byName = new Map(workspaces.map((w) => [w.name, w]));

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === 'testing' ? [] : sourceFiles(path);
    return /\.(ts|mjs)$/.test(entry) && !entry.endsWith('.test.ts') ? [path] : [];
  });
}

/** Every file of a workspace that may import something (sources, tests, testing helpers, scripts), dist/ left out. */
function workspaceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === 'node_modules' || entry === 'dist' ? [] : workspaceFiles(path);
    return /\.(ts|mts|mjs|js)$/.test(entry) ? [path] : [];
  });
}

/** Module specifiers a file imports (static, dynamic with a literal, side-effect imports and re-exports). */
function specifiersOf(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  return [...text.matchAll(/(?:^|\s)(?:import|export)\b[^'"`]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm)]
    .map((m) => m[1] ?? m[2] ?? m[3] ?? '')
    .filter((spec) => spec !== '');
}

/** Bare module names a file imports (static, dynamic and re-exports), node: builtins left out. */
function importsOf(path: string): string[] {
  const names = specifiersOf(path).filter((spec) => !spec.startsWith('.') && !spec.startsWith('node:'));
  return names.map((spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!));
}

describe('the workspace', () => {
  it('declares every package its sources import', () => {
    const missing = workspaces.flatMap((w) =>
      sourceFiles(join(w.dir, 'src')).flatMap((file) =>
        importsOf(file)
          .filter((name) => !(name in w.dependencies) && !(name in w.devDependencies))
          .map((name) => `${relative(ROOT, file)} imports ${name}`),
      ),
    );
    expect(missing).toEqual([]);
  });

  it('keeps relative imports inside their own workspace: tests reach other workspaces through packages (test-support)', () => {
    const leaving = workspaces.flatMap((w) =>
      workspaceFiles(w.dir).flatMap((file) =>
        specifiersOf(file)
          .filter((spec) => spec.startsWith('.') && relative(w.dir, resolve(dirname(file), spec)).startsWith('..'))
          .map((spec) => `${relative(ROOT, file)} imports ${spec}`),
      ),
    );
    expect(leaving).toEqual([]);
  });

  it('declares every workspace its tests and test helpers import (so tests keep the layers: no package tests through an app)', () => {
    const missing = workspaces.flatMap((w) =>
      workspaceFiles(w.dir)
        .filter((file) => !sourceFiles(join(w.dir, 'src')).includes(file))
        .flatMap((file) =>
          importsOf(file)
            .filter((name) => byName.has(name) && name !== w.name && !(name in w.dependencies) && !(name in w.devDependencies))
            .map((name) => `${relative(ROOT, file)} imports ${name}`),
        ),
    );
    expect(missing).toEqual([]);
  });

  it('builds each workspace after the workspaces it depends on (tsconfig.build.json references)', () => {
    for (const w of workspaces) {
      const config = join(w.dir, 'tsconfig.build.json');
      if (!existsSync(config)) continue;
      const references = ((JSON.parse(readFileSync(config, 'utf8')) as { references?: Array<{ path: string }> }).references ?? [])
        .map((r) => relative(ROOT, join(w.dir, r.path, '..')))
        .sort();
      const built = Object.keys(w.dependencies)
        .map((name) => byName.get(name))
        .filter((dep): dep is Workspace => dep !== undefined && existsSync(join(dep.dir, 'tsconfig.build.json')))
        .map((dep) => relative(ROOT, dep.dir))
        .sort();
      expect(references, w.name).toEqual(built);
    }
    const root = (JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as { references: Array<{ path: string }> }).references.map((r) => r.path).sort();
    expect(root).toEqual(workspaces.filter((w) => existsSync(join(w.dir, 'tsconfig.build.json'))).map((w) => `${relative(ROOT, w.dir)}/tsconfig.build.json`).sort());
  });

  it('never lets a package depend on an app, and has no dependency cycle', () => {
    const apps = new Set(workspaces.filter((w) => relative(ROOT, w.dir).startsWith('apps/')).map((w) => w.name));
    for (const w of workspaces.filter((x) => !apps.has(x.name))) {
      expect(Object.keys({ ...w.dependencies, ...w.devDependencies }).filter((d) => apps.has(d)), w.name).toEqual([]);
    }
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (name: string, path: string[]): void => {
      if (done.has(name)) return;
      if (visiting.has(name)) throw new Error(`dependency cycle: ${[...path, name].join(' -> ')}`);
      visiting.add(name);
      for (const dep of Object.keys(byName.get(name)?.dependencies ?? {})) if (byName.has(dep)) visit(dep, [...path, name]);
      visiting.delete(name);
      done.add(name);
    };
    for (const w of workspaces) visit(w.name, []);
  });

  it('exports compiled JavaScript with types, and the sources under the portrait-farm-source condition', () => {
    for (const w of workspaces.filter((x) => existsSync(join(x.dir, 'tsconfig.build.json')))) {
      const exported = (JSON.parse(readFileSync(join(w.dir, 'package.json'), 'utf8')) as { exports?: Record<string, Record<string, string>> }).exports ?? {};
      const main = exported['.'];
      if (main === undefined) continue;
      expect(Object.keys(main), w.name).toEqual(['portrait-farm-source', 'types', 'default']);
      expect(main['default'], w.name).toBe(main['portrait-farm-source']!.replace('./src/', './dist/').replace(/\.ts$/, '.js'));
    }
  });
});
