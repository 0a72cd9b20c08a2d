import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ExecutionProvider } from './execution-providers.ts';

/**
 * Why an execution provider cannot work on this machine, found without asking onnxruntime, or null when it may.
 *
 * onnxruntime-node reports a provider it cannot load by writing to stderr from native code (a red "Failed to load
 * library libonnxruntime_providers_shared.so" block per session for CUDA, Dawn's "vkCreateInstance: Found no
 * drivers!" for WebGPU) before it throws, and no log level silences all of it. So a provider whose library or
 * driver is absent is skipped here, silently, with the reason given to the caller's log.
 */
export function providerUnavailableReason(provider: ExecutionProvider, probe: ProbeEnvironment = hostEnvironment()): string | null {
  if (provider === 'cuda') {
    const library = probe.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
    if (probe.platform !== 'linux' && probe.platform !== 'win32') return `no CUDA build of onnxruntime for ${probe.platform}`;
    if (probe.bindingDir === null || !probe.exists(join(probe.bindingDir, library))) {
      return `${library} is not installed (onnxruntime-node was installed without CUDA)`;
    }
    return null;
  }
  if (provider === 'webgpu' && probe.platform === 'linux' && !hasVulkanDriver(probe)) {
    return 'no Vulkan driver (no ICD file in the Vulkan icd.d folders)';
  }
  return null;
}

/** What {@link providerUnavailableReason} looks at; the host's by default, a fake one in tests. */
export interface ProbeEnvironment {
  platform: NodeJS.Platform;
  /** Folder of onnxruntime_binding.node, or null when it cannot be found. */
  bindingDir: string | null;
  env: Record<string, string | undefined>;
  exists(path: string): boolean;
  /** File names in a folder; empty when it does not exist. */
  list(path: string): string[];
}

function hostEnvironment(): ProbeEnvironment {
  return {
    platform: process.platform,
    bindingDir: onnxruntimeBindingDir(),
    env: process.env,
    exists: existsSync,
    list: (path) => {
      try {
        return readdirSync(path);
      } catch {
        return [];
      }
    },
  };
}

/** node_modules/onnxruntime-node/bin/napi-v6/<platform>/<arch>, where the CUDA provider libraries are installed. */
function onnxruntimeBindingDir(): string | null {
  try {
    const entry = createRequire(import.meta.url).resolve('onnxruntime-node');
    let folder = dirname(entry);
    while (!existsSync(join(folder, 'package.json')) && dirname(folder) !== folder) folder = dirname(folder);
    return join(folder, 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return null;
  }
}

/** The Vulkan loader's driver manifests: explicit ones from the environment, else the standard icd.d folders. */
function hasVulkanDriver(probe: ProbeEnvironment): boolean {
  const explicit = [probe.env['VK_DRIVER_FILES'], probe.env['VK_ICD_FILENAMES']]
    .filter((value): value is string => value !== undefined && value !== '')
    .flatMap((value) => value.split(':'));
  if (explicit.length > 0) return explicit.some((path) => probe.exists(path));
  const dataDirs = [probe.env['XDG_DATA_HOME'] ?? join(probe.env['HOME'] ?? '/', '.local/share'), ...(probe.env['XDG_DATA_DIRS'] ?? '/usr/local/share:/usr/share').split(':')];
  const folders = ['/etc/vulkan/icd.d', ...dataDirs.map((dir) => join(dir, 'vulkan/icd.d'))];
  return folders.some((folder) => probe.list(folder).some((name) => name.endsWith('.json')));
}
