import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FACE_MODEL_FILES, resolveAnalyzerOptions } from './analyzer-options.ts';

describe('analyzer options', () => {
  it('resolves defaults and per-file overrides', () => {
    const resolved = resolveAnalyzerOptions({ modelsDir: '/models', modelFiles: { mesh: '/pack/mesh.onnx' } });
    expect(resolved.modelPaths).toEqual({
      detector: join('/models', FACE_MODEL_FILES.detector),
      detectorFull: join('/models', FACE_MODEL_FILES.detectorFull),
      mesh: '/pack/mesh.onnx',
      iris: join('/models', FACE_MODEL_FILES.iris),
    });
    expect(resolved.providers).toBeNull();
    expect(resolved.minDetectionScore).toBe(0.5);
    expect(resolved.minPresence).toBe(0.9);
    expect(resolved.sureDetectionScore).toBe(0.75);
    expect(resolved.refinePasses).toBe(2);
    expect(resolved.searchUpsideDown).toBe(true);
    expect(resolveAnalyzerOptions({ modelsDir: '/models', refinePasses: 0, minPresence: 0 }).refinePasses).toBe(0);
  });

  it('knows no models folder of its own: the caller says where the models are', () => {
    expect(() => resolveAnalyzerOptions({})).toThrow("The face models' location is required: pass modelsDir, or modelFiles.detector.");
    const files = { detector: '/a.onnx', detectorFull: '/b.onnx', mesh: '/c.onnx', iris: '/d.onnx' };
    expect(resolveAnalyzerOptions({ modelFiles: files }).modelPaths).toEqual(files);
  });

  it('names the option, the range and the value it refuses', () => {
    const at = { modelsDir: '/models' };
    expect(() => resolveAnalyzerOptions({ ...at, refinePasses: 7 })).toThrow('refinePasses must be an integer between 0 and 5. Passed: 7');
    expect(() => resolveAnalyzerOptions({ ...at, minPresence: 1.5 })).toThrow('minPresence must be between 0 and 1. Passed: 1.5');
    expect(() => resolveAnalyzerOptions({ ...at, minDetectionScore: Number.NaN })).toThrow(/minDetectionScore/);
  });
});
