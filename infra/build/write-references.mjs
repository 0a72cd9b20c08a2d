// Writes the project references of every workspace's tsconfig.build.json from its package.json dependencies, and the
// root tsconfig.build.json's list of workspaces: after adding a workspace or a dependency between workspaces, run
//   node infra/build/write-references.mjs
// (test/architecture/workspace.test.ts fails while they disagree).
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const workspaces = ['packages', 'apps'].flatMap((group) => readdirSync(join(root, group)).map((name) => join(root, group, name)));
const dirOf = new Map(workspaces.map((dir) => [JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name, dir]));
const built = (dir) => existsSync(join(dir, 'tsconfig.build.json'));
const write = (path, value) => writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);

for (const dir of workspaces.filter(built)) {
  const config = JSON.parse(readFileSync(join(dir, 'tsconfig.build.json'), 'utf8'));
  const dependencies = Object.keys(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).dependencies ?? {});
  config.references = dependencies
    .map((name) => dirOf.get(name))
    .filter((dep) => dep !== undefined && built(dep))
    .map((dep) => ({ path: `${relative(dir, dep)}/tsconfig.build.json` }))
    .sort((a, b) => a.path.localeCompare(b.path));
  write(join(dir, 'tsconfig.build.json'), config);
}
write(join(root, 'tsconfig.build.json'), {
  files: [],
  references: workspaces.filter(built).map((dir) => ({ path: `${relative(root, dir)}/tsconfig.build.json` })).sort((a, b) => a.path.localeCompare(b.path)),
});
