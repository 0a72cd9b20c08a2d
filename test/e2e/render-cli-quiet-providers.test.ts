// Issue 10, item 1: on a machine without CUDA or a GPU, probing the execution providers printed seven red ONNX Runtime
// "Failed to load library libonnxruntime_providers_shared.so" blocks and Dawn's "vkCreateInstance: Found no drivers!"
// on every render. The probe is silent; one line names the provider; --verbose says why the others were skipped.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, startRender, type CliRun } from './render-cli-run.ts';

const INPUTS = ['--image', join(FIXTURES, 'astronaut.png'), '--audio', join(FIXTURES, 'speech-3s.wav'), '--mode', 'crop'];
/** What onnxruntime's native logger and Dawn's Vulkan probe write (the --verbose lines may name the libraries). */
const NATIVE_NOISE = /Failed to load library|vkCreateInstance|VK_ERROR|\[E:onnxruntime|ONNXRuntimeError/;

describe('portrait-farm render on a machine without CUDA or a GPU', () => {
  const runs: CliRun[] = [];
  afterEach(() => {
    for (const run of runs.splice(0)) for (const dir of [run.scratch, run.outDir]) rmSync(dir, { recursive: true, force: true });
  });

  it('prints no ONNX Runtime or Vulkan errors and names the provider once', async () => {
    const run = startRender(INPUTS);
    runs.push(run);
    const { code, stdout, stderr } = await run.finished;
    expect(code, stderr).toBe(0);
    expect(stderr).not.toMatch(NATIVE_NOISE);
    const providerLines = `${stdout}\n${stderr}`.split('\n').filter((line) => /provider/i.test(line));
    expect(providerLines).toHaveLength(1);
    expect(providerLines[0]).toMatch(/provider (cpu|cuda|webgpu)\b/);
  }, 120_000);

  it('says with --verbose which provider runs each model and why the others were skipped', async () => {
    const run = startRender([...INPUTS, '--verbose']);
    runs.push(run);
    const { code, stdout, stderr } = await run.finished;
    expect(code, stderr).toBe(0);
    expect(stderr).not.toMatch(NATIVE_NOISE);
    const modelLines = `${stdout}\n${stderr}`.split('\n').filter((line) => /\.onnx: running on /.test(line));
    expect(modelLines.length).toBeGreaterThan(0);
    for (const line of modelLines) expect(line).toMatch(/^\S+\.onnx: running on (cpu|cuda|webgpu)( \(.+ unavailable: .+\))?$/);
  }, 120_000);
});
