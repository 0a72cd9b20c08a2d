import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread running `script` (a .ts source under tsx, or a .js file), with `data` as
 * `workerData.data`. Worker threads do not inherit the parent's TypeScript loader; the entry registers it.
 */
export function startModuleWorker(script: URL, data: unknown = null): Worker {
  return new Worker(new URL('./worker-entry.mjs', import.meta.url), { workerData: { script: script.href, data } });
}

/** The sibling of `moduleUrl` named `name`, with the extension the caller runs from (.ts from source, else .js). */
export function siblingScript(moduleUrl: string, name: string): URL {
  return new URL(`./${name}${moduleUrl.endsWith('.ts') ? '.ts' : '.js'}`, moduleUrl);
}
