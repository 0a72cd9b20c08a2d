import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Cmd, Copy, DockerfileParser, Env, From, User, Workdir } from 'dockerfile-ast';
import type { Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@portrait-farm/config';
import { readManifestObjects, REPO_ROOT } from './kubernetes-manifests.ts';
import { roleDeployments } from './kubernetes-pods.ts';

// infra/docker/Dockerfile.gpu cannot be built here (the CUDA provider libraries come from outside the registries), so
// its files are checked instead: it lints clean (dockerfile-utils, the VS Code Docker extension's validator), runs
// on a CUDA 12 + cuDNN 9 runtime as an unprivileged user, installs the CUDA provider that the installed
// onnxruntime-node's installer knows, copies only what exists and is not excluded from the build context, and runs
// what the Kubernetes worker Deployment expects. docs/operations.md, "GPU workers", says how it is built and checked.

const DOCKERFILE = 'infra/docker/Dockerfile.gpu';
const text = readFileSync(join(REPO_ROOT, DOCKERFILE), 'utf8');
const dockerfile = DockerfileParser.parse(text);
const instructions = dockerfile.getInstructions();
const stages = dockerfile.getFROMs();
const finalStage = stages.at(-1)!;
const finalInstructions = instructions.filter((instruction) => instruction.getRange().start.line > finalStage.getRange().start.line);
const worker = roleDeployments(readManifestObjects()).find(({ role }) => role === 'worker')!;
const require = createRequire(import.meta.url);
/** The Language Server Protocol's severities of the diagnostics dockerfile-utils returns: 1 error, 2 warning. */
const ERROR_OR_WARNING = new Set([1, 2]);

function ofType<T extends Instruction>(type: abstract new (...args: never[]) => T, among: readonly Instruction[] = instructions): T[] {
  return among.filter((instruction): instruction is T => instruction instanceof type);
}

/** The environment the final stage sets. */
function imageEnvironment(): Record<string, string> {
  return Object.fromEntries(ofType(Env, finalInstructions).flatMap((env) => env.getProperties().map((p) => [p.getName(), p.getUnescapedValue() ?? ''])));
}

/** Patterns of infra/docker/Dockerfile.gpu.dockerignore, the build context's exclusions. */
function ignoredPatterns(): string[] {
  return readFileSync(join(REPO_ROOT, `${DOCKERFILE}.dockerignore`), 'utf8').split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
}

function isIgnored(path: string): boolean {
  return ignoredPatterns().some((pattern) => {
    const body = pattern.replace(/^\*\*\//, '');
    return path === body || path.startsWith(`${body}/`) || (pattern.startsWith('**/') && path.split('/').includes(body));
  });
}

describe('infra/docker/Dockerfile.gpu', () => {
  it('lints without errors or warnings', () => {
    const problems = validate(text).filter((d) => ERROR_OR_WARNING.has(d.severity ?? 1));
    expect(problems.map((d) => `line ${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it('runs on a CUDA 12 runtime with cuDNN 9', () => {
    expect(finalStage.getImageName()).toBe('nvidia/cuda');
    expect(finalStage.getImageTag()).toMatch(/^12\.\d+\.\d+-cudnn-runtime-ubuntu\d+\.\d+$/);
  });

  it('runs as the unprivileged user the worker Deployment runs as, by number', () => {
    const users = ofType(User, finalInstructions);
    expect(users).toHaveLength(1);
    const [uid, gid] = (users[0]!.getArgumentsContent() ?? '').split(':').map(Number);
    const podSecurity = (worker.deployment.spec.template.spec as { securityContext?: { runAsUser?: number; runAsGroup?: number; runAsNonRoot?: boolean } }).securityContext;
    expect(uid).toBeGreaterThan(0);
    expect([uid, gid]).toEqual([podSecurity?.runAsUser, podSecurity?.runAsGroup]);
    expect(podSecurity?.runAsNonRoot).toBe(true);
  });

  it('starts the worker, as the Deployment does', () => {
    const [cmd] = ofType(Cmd, finalInstructions);
    const command = cmd!.getJSONStrings().map((argument) => argument.getJSONValue());
    expect(command).toEqual(['node', 'apps/worker/dist/main.js']);
    expect(worker.container.command).toEqual(command);
    expect(existsSync(join(REPO_ROOT, 'apps/worker/src/main.ts'))).toBe(true);
  });

  it('installs the CUDA provider that the installed onnxruntime-node\'s installer offers, and checks its libraries arrived', () => {
    const metadata = require('onnxruntime-node/script/install-metadata.js') as { requirements: Record<string, string[]>; manifests: Record<string, Record<string, unknown>> };
    const flag = /ONNXRUNTIME_NODE_INSTALL=(\S+) node node_modules\/onnxruntime-node\/script\/install\.js/.exec(text)?.[1];
    expect(metadata.requirements['linux/x64']).toContain(flag);
    const checked = [...text.matchAll(/test -f node_modules\/onnxruntime-node\/bin\/napi-v6\/linux\/x64\/(\S+)/g)].map((match) => `./${match[1]}`);
    expect(checked.length).toBeGreaterThan(0);
    expect(Object.keys(metadata.manifests[`linux/x64:${flag}`] ?? {})).toEqual(expect.arrayContaining(checked));
    expect(existsSync(join(REPO_ROOT, 'node_modules/onnxruntime-node/script/install.js'))).toBe(true);
  });

  it('copies paths that exist and that the build context holds, and from stages defined before', () => {
    const stageNames: string[] = [];
    for (const instruction of instructions) {
      if (instruction instanceof From) {
        stageNames.push(instruction.getBuildStage() ?? '');
        continue;
      }
      if (!(instruction instanceof Copy)) continue;
      const from = instruction.getFromFlag()?.getValue();
      const args = instruction.getArguments().map((argument) => argument.getValue()).filter((value) => !value.startsWith('--'));
      const sources = args.slice(0, -1);
      if (from !== undefined && from !== null) {
        expect(stageNames.slice(0, -1), `COPY --from=${from}`).toContain(from);
        continue;
      }
      for (const source of sources) {
        expect(existsSync(join(REPO_ROOT, source)), `COPY ${source}: exists`).toBe(true);
        expect(isIgnored(source), `COPY ${source}: not excluded by the .dockerignore`).toBe(false);
      }
    }
  });

  it('sets variables the worker reads and that parse, the pack path among the copied models', () => {
    const env = imageEnvironment();
    const farmEnv = Object.fromEntries(Object.entries(env).filter(([name]) => name.startsWith('PORTRAIT_FARM_')));
    const config = loadConfig('worker', { ...farmEnv, PORTRAIT_FARM_STORAGE_URL: 's3://bucket/prefix' });
    expect(config.providers).toEqual(['cuda', 'webgpu', 'cpu']);
    const workdir = ofType(Workdir, finalInstructions).at(-1)?.getArgumentsContent();
    const packInRepo = env['PORTRAIT_FARM_PACK']!.replace(new RegExp(`^${workdir}/`), '');
    expect(existsSync(join(REPO_ROOT, packInRepo, 'manifest.json'))).toBe(true);
    expect(ofType(Copy, finalInstructions).some((copy) => copy.getArguments()[0]?.getValue() === packInRepo)).toBe(true);
  });

  it('leaves the same files out of its build context as infra/docker/Dockerfile', () => {
    const patterns = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8').split('\n').filter((line) => !line.startsWith('#'));
    expect(patterns(`${DOCKERFILE}.dockerignore`)).toEqual(patterns('infra/docker/Dockerfile.dockerignore'));
  });

  it('is built under the name the worker Deployment pulls', () => {
    const built = /docker build -f infra\/docker\/Dockerfile\.gpu -t (\S+) \./.exec(text)?.[1];
    expect(built).toBe(worker.container.image);
  });
});
