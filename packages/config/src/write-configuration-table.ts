import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configurationTable } from './configuration-table.ts';

// Writes docs/configuration.md from the schema: `npm run table -w @portrait-farm/config` after changing a variable.
const target = fileURLToPath(new URL('../../../docs/configuration.md', import.meta.url));
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, configurationTable());
process.stdout.write(`wrote ${target}\n`);
