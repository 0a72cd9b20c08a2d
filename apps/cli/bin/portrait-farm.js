#!/usr/bin/env node
// In a repository checkout (src/ present) the command runs its TypeScript sources, as development does; an install
// without sources runs the compiled dist/ (npm run build).
import { existsSync } from 'node:fs';

const source = new URL('../src/main.ts', import.meta.url);
if (existsSync(source)) {
  await import('@portrait-farm/source-loader/register');
  await import(source.href);
} else {
  await import(new URL('../dist/main.js', import.meta.url).href);
}
