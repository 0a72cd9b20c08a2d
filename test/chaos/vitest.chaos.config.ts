import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// npm run test:chaos: the fault tests only (test/chaos/*.chaos.ts), not part of `vitest run`. Sources as in the root
// config (the "portrait-farm-source" export condition).
const SOURCE = 'portrait-farm-source';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  resolve: { conditions: [SOURCE, 'node', 'development|production'] },
  ssr: { resolve: { conditions: [SOURCE, 'node', 'development|production'], externalConditions: [SOURCE] } },
  test: {
    include: ['test/chaos/**/*.chaos.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
