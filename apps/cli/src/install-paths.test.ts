import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { appNodeArgs, INSTALL_ROOT, RUNS_FROM_SOURCES } from './install-paths.ts';

describe('the farm apps of this install', () => {
  it('run from their sources through tsx while the CLI does, and from their compiled dist/ otherwise', () => {
    expect(RUNS_FROM_SOURCES).toBe(true);
    for (const app of ['gateway', 'worker', 'stitcher'] as const) {
      const fromSources = appNodeArgs(app);
      expect(fromSources).toEqual(['--conditions=portrait-farm-source', '--import', 'tsx', `${INSTALL_ROOT}apps/${app}/src/main.ts`]);
      expect(existsSync(fromSources[3]!)).toBe(true);
      expect(appNodeArgs(app, false)).toEqual([`${INSTALL_ROOT}apps/${app}/dist/main.js`]);
    }
  });
});
