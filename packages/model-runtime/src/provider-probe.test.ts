import { describe, expect, it } from 'vitest';
import { providerUnavailableReason, type ProbeEnvironment } from './provider-probe.ts';

function fakeHost(files: string[], overrides: Partial<ProbeEnvironment> = {}): ProbeEnvironment {
  return {
    platform: 'linux',
    bindingDir: '/ort/bin/napi-v6/linux/x64',
    env: { HOME: '/home/u' },
    exists: (path) => files.includes(path),
    list: (folder) => files.filter((path) => path.startsWith(`${folder}/`)).map((path) => path.slice(folder.length + 1)),
    ...overrides,
  };
}

describe('providerUnavailableReason', () => {
  it('skips CUDA when onnxruntime-node was installed without its CUDA provider library', () => {
    expect(providerUnavailableReason('cuda', fakeHost([]))).toBe(
      'libonnxruntime_providers_cuda.so is not installed (onnxruntime-node was installed without CUDA)',
    );
    expect(providerUnavailableReason('cuda', fakeHost(['/ort/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so']))).toBeNull();
    expect(providerUnavailableReason('cuda', fakeHost([], { platform: 'darwin' }))).toBe('no CUDA build of onnxruntime for darwin');
  });

  it('skips WebGPU on Linux without a Vulkan driver manifest', () => {
    expect(providerUnavailableReason('webgpu', fakeHost([]))).toBe('no Vulkan driver (no ICD file in the Vulkan icd.d folders)');
    expect(providerUnavailableReason('webgpu', fakeHost(['/usr/share/vulkan/icd.d/nvidia_icd.json']))).toBeNull();
    expect(providerUnavailableReason('webgpu', fakeHost(['/etc/vulkan/icd.d/lvp_icd.x86_64.json']))).toBeNull();
    const named = fakeHost(['/opt/icd.json'], { env: { VK_ICD_FILENAMES: '/opt/icd.json' } });
    expect(providerUnavailableReason('webgpu', named)).toBeNull();
    expect(providerUnavailableReason('webgpu', fakeHost([], { platform: 'darwin' }))).toBeNull();
  });

  it('never skips the CPU provider', () => {
    expect(providerUnavailableReason('cpu', fakeHost([]))).toBeNull();
  });
});
