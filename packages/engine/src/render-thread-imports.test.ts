import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A module hook that reports every module resolved, run in the loader's own thread, hence the port.
const REPORTING_HOOKS = `
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  port.postMessage(resolved.url);
  return resolved;
}
`;

// Imports what a render thread imports (render-worker.ts without its thread check) and prints the modules resolved.
const IMPORTER = `
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
const resolved = [];
const { port1, port2 } = new MessageChannel();
port1.on('message', (url) => resolved.push(url));
register(new URL('./hooks.mjs', import.meta.url), { data: { port: port2 }, transferList: [port2] });
await import(process.argv[2]);
await import(process.argv[3]);
await new Promise((resolve) => setTimeout(resolve, 200));
port1.close();
console.log(JSON.stringify(resolved));
`;

describe('a render thread', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'render-thread-imports-'));
    await writeFile(join(work, 'hooks.mjs'), REPORTING_HOOKS);
    await writeFile(join(work, 'import.mjs'), IMPORTER);
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  // Each render thread of each clip loads its modules anew: the schemas (TypeBox, about 200 modules, and Ajv), sharp
  // and the ffmpeg tools cost 0.33 CPU-s a thread and are not used there (docs/performance.md).
  it('loads neither the option schemas (TypeBox, Ajv) nor sharp nor the ffmpeg tools', async () => {
    const service = new URL('./render-service.ts', import.meta.url).href;
    const backends = import.meta.resolve('@portrait-farm/contracts/constants');
    const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=portrait-farm-source', '--import', 'tsx', join(work, 'import.mjs'), service, backends]);
    const resolved = JSON.parse(stdout) as string[];
    expect(resolved.some((url) => url.endsWith('/renderer/src/renderer.ts'))).toBe(true);
    const heavy = resolved.filter((url) => /node_modules\/(@sinclair\/typebox|ajv|sharp)\/|\/media\/src\/(run-tool|contact-sheet)\.ts|\/contracts\/src\/(index|schema-check)\.ts/.test(url));
    expect(heavy).toEqual([]);
  }, 60_000);
});
