import { defineConfig } from 'vitest/config';

// Tests run the TypeScript sources: imports of @portrait-farm packages take the "portrait-farm-source" export
// condition (their src/ entry) instead of the compiled dist/.
const SOURCE = 'portrait-farm-source';

export default defineConfig({
  resolve: { conditions: [SOURCE, 'node', 'development|production'] },
  ssr: { resolve: { conditions: [SOURCE, 'node', 'development|production'], externalConditions: [SOURCE] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
