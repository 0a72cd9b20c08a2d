import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';

// The ops dashboard's files (apps/dashboard: its pages and styles, its compiled scripts), read once at start-up and
// served from memory: only these names exist under /dashboard/assets, so no request path reaches the file system.

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
};

export interface DashboardAsset {
  body: Buffer;
  contentType: string;
}

export type DashboardAssets = ReadonlyMap<string, DashboardAsset>;

const SAFE_NAME = /^[A-Za-z0-9][\w.-]*$/;

/** Every servable file directly in `dirs` (a missing folder is skipped); a name in an earlier folder wins. */
export function loadDashboardAssets(dirs: readonly string[]): DashboardAssets {
  const assets = new Map<string, DashboardAsset>();
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const contentType = CONTENT_TYPES[extname(name)];
      const path = join(dir, name);
      if (contentType === undefined || !SAFE_NAME.test(name) || assets.has(name) || !statSync(path).isFile()) continue;
      assets.set(name, { body: readFileSync(path), contentType });
    }
  }
  return assets;
}
