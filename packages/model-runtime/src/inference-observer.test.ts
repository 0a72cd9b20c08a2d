import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { observeInferences } from './inference-observer.ts';
import type { InferenceRun } from './inference-observer.ts';
import { createModelSession } from './model-session.ts';

const embeddingModel = fileURLToPath(new URL('../../../models/audio/embedding_model.onnx', import.meta.url));

describe('observeInferences', () => {
  it("hears every run of this thread's sessions: the model file's stem, the provider and onnxruntime's time", async () => {
    const runs: InferenceRun[] = [];
    const stop = observeInferences((run) => runs.push(run));
    const failing = observeInferences(() => {
      throw new Error('a listener that throws');
    });
    const session = await createModelSession(embeddingModel, { providers: ['cpu'] });
    try {
      const feeds = { input_1: { data: new Float32Array(76 * 32), dims: [1, 76, 32, 1] } };
      await session.run(feeds);
      stop();
      await session.run(feeds);
    } finally {
      failing();
      await session.close();
    }
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ model: 'embedding_model', provider: 'cpu' });
    expect(runs[0]!.seconds).toBeGreaterThan(0);
    expect(runs[0]!.seconds).toBeLessThan(10);
  });
});
