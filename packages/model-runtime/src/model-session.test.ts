import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { createModelSession, createModelSessionFromBytes, type ModelSession } from './model-session.ts';
import { parseProviderList } from './execution-providers.ts';
import { providerUnavailableReason } from './provider-probe.ts';

const embeddingModel = fileURLToPath(new URL('../../../models/audio/embedding_model.onnx', import.meta.url));
const starterDenoiser = fileURLToPath(new URL('../../../models/starter/denoiser.onnx', import.meta.url));
/** Why CUDA cannot run here (onnxruntime-node without its CUDA libraries, the CI case), or null on a CUDA machine. */
const cudaMissing = providerUnavailableReason('cuda');

function windows(batch: number): Float32Array {
  const data = new Float32Array(batch * 76 * 32);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37) * 3;
  return data;
}

describe('createModelSession', () => {
  const sessions: ModelSession[] = [];
  afterAll(async () => {
    for (const session of sessions) await session.close();
  });

  it('runs a real model in a worker thread with the same result as onnxruntime on the main thread', async () => {
    const session = await createModelSession(embeddingModel, { providers: ['cpu'] });
    sessions.push(session);
    expect(session.provider).toBe('cpu');
    expect(session.inputs[0]).toMatchObject({ name: 'input_1', type: 'float32' });
    expect(session.inputs[0]?.shape.slice(1)).toEqual([76, 32, 1]);
    const input = windows(3);
    const outputs = await session.run({ input_1: { data: input, dims: [3, 76, 32, 1] } });
    const result = outputs['conv2d_19'];
    expect(result?.dims).toEqual([3, 1, 1, 96]);

    const direct = await ort.InferenceSession.create(embeddingModel, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
    const expected = (await direct.run({ input_1: new ort.Tensor('float32', input, [3, 76, 32, 1]) }))['conv2d_19'];
    expect(Array.from(result!.data as Float32Array)).toEqual(Array.from(expected!.data as Float32Array));
  });

  it('loads a model given as bytes, named in its log line, with the same result as from its file', async () => {
    const lines: string[] = [];
    const fromBytes = await createModelSessionFromBytes('embedding-copy.onnx', readFileSync(embeddingModel), { providers: ['cpu'], log: (line) => lines.push(line) });
    const fromFile = await createModelSession(embeddingModel, { providers: ['cpu'] });
    sessions.push(fromBytes, fromFile);
    expect(fromBytes.path).toBe('embedding-copy.onnx');
    expect(lines).toEqual(['embedding-copy.onnx: running on cpu']);
    const feeds = { input_1: { data: windows(2), dims: [2, 76, 32, 1] } };
    const [a, b] = await Promise.all([fromBytes.run(feeds), fromFile.run(feeds)]);
    expect(Array.from(a['conv2d_19']!.data as Float32Array)).toEqual(Array.from(b['conv2d_19']!.data as Float32Array));
  });

  it('keeps the event loop free while inference runs', async () => {
    const session = await createModelSession(embeddingModel, { providers: ['cpu'] });
    sessions.push(session);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const input = windows(96);
    const started = performance.now();
    for (let i = 0; i < 3; i++) await session.run({ input_1: { data: input, dims: [96, 76, 32, 1] } });
    const elapsed = performance.now() - started;
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(elapsed / 20);
  });

  it('falls back to the next provider and says which one runs', async () => {
    const lines: string[] = [];
    const session = await createModelSession(embeddingModel, { providers: ['cuda', 'cpu'], log: (line) => lines.push(line) });
    sessions.push(session);
    expect(session.provider).toBe('cpu');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^embedding_model\.onnx: running on cpu \(cuda unavailable: .+\)$/);
  });

  // Issue 17: the denoiser asked to run on CUDA (PORTRAIT_FARM_PROVIDERS=cuda,cpu) on a machine without it.
  it.skipIf(cudaMissing === null)('runs the denoiser on the CPU when CUDA is missing, with one line saying why', async () => {
    const lines: string[] = [];
    const session = await createModelSession(starterDenoiser, { providers: ['cuda', 'cpu'], log: (line) => lines.push(line) });
    sessions.push(session);
    expect(session.provider).toBe('cpu');
    expect(lines).toEqual([`denoiser.onnx: running on cpu (cuda unavailable: ${cudaMissing})`]);
  });

  it.skipIf(cudaMissing === null)('refuses the denoiser with CUDA alone when CUDA is missing, naming the reason', async () => {
    await expect(createModelSession(starterDenoiser, { providers: ['cuda'] })).rejects.toMatchObject({
      code: 'MODEL_RUNTIME_NO_PROVIDER',
      message: `No execution provider could load ${starterDenoiser} (cuda: ${cudaMissing})`,
    });
  });

  it('names the missing file', async () => {
    await expect(createModelSession('/nonexistent/model.onnx')).rejects.toMatchObject({
      code: 'MODEL_RUNTIME_FILE_MISSING',
      message: 'Model file not found: /nonexistent/model.onnx',
    });
  });

  it('rejects a run with wrong feeds and stays usable', async () => {
    const session = await createModelSession(embeddingModel, { providers: ['cpu'] });
    sessions.push(session);
    await expect(session.run({ wrong_name: { data: new Float32Array(4), dims: [4] } })).rejects.toMatchObject({
      code: 'MODEL_RUNTIME_RUN_FAILED',
    });
    const ok = await session.run({ input_1: { data: windows(1), dims: [1, 76, 32, 1] } });
    expect(ok['conv2d_19']?.dims).toEqual([1, 1, 1, 96]);
  });

  // Issue 10: terminating the thread while onnxruntime ran aborted the process ("terminate called after throwing an
  // instance of 'Napi::Error'"); close now waits for the run in flight and releases the session first.
  it('closes while a run is in flight without aborting the process', async () => {
    const session = await createModelSession(embeddingModel, { providers: ['cpu'] });
    const outcome = session.run({ input_1: { data: windows(96), dims: [96, 76, 32, 1] } }).then(() => null, (error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await session.close();
    expect(await outcome).toMatchObject({ code: 'MODEL_RUNTIME_CLOSED' });
  });

  it('refuses runs after close', async () => {
    const session = await createModelSession(embeddingModel, { providers: ['cpu'] });
    await session.close();
    await expect(session.run({ input_1: { data: windows(1), dims: [1, 76, 32, 1] } })).rejects.toMatchObject({
      code: 'MODEL_RUNTIME_CLOSED',
    });
  });
});

describe('parseProviderList', () => {
  it('accepts auto and explicit lists', () => {
    expect(parseProviderList('auto')).toEqual(['cuda', 'webgpu', 'cpu']);
    expect(parseProviderList(' WebGPU, cpu ')).toEqual(['webgpu', 'cpu']);
  });
  it('names an unknown provider', () => {
    expect(() => parseProviderList('cuda,tpu')).toThrow('Unknown execution provider "tpu": expected one of cuda, webgpu, cpu or auto.');
  });
});
