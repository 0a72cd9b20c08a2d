import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// The container image runs what the build compiled, with production dependencies only (test/e2e/compose-services
// starts docker-compose.yml's commands as processes and renders a job through them).

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dockerfile = readFileSync(`${ROOT}infra/docker/Dockerfile`, 'utf8').replace(/\\\n\s*/g, ' ');
const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
const compose = parse(readFileSync(`${ROOT}docker-compose.yml`, 'utf8'), { merge: true }) as { services: Record<string, { command?: string[] }> };

describe('the production image', () => {
  it('builds in one stage and runs compiled JavaScript with production dependencies only in the next', () => {
    expect(dockerfile).toMatch(/FROM \S+ AS build[\s\S]*npm run build/);
    expect(runtimeStage).toContain('npm ci --omit=dev');
    expect(runtimeStage).not.toMatch(/COPY (test|packages|apps)\b/);
    expect(runtimeStage).not.toContain('tsx');
    expect(runtimeStage).toMatch(/CMD \["node", "apps\/gateway\/dist\/main\.js"\]/);
  });

  it('gives every farm service of docker-compose.yml a compiled entry', () => {
    for (const name of ['gateway', 'worker', 'stitcher']) {
      expect(compose.services[name]?.command).toEqual(['node', `apps/${name}/dist/main.js`]);
    }
  });
});
