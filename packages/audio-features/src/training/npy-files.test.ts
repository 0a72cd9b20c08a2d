import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { float32Npy, readNpz } from './npy-files.ts';

const dir = mkdtempSync(join(tmpdir(), 'npy-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const python = (code: string): string => execFileSync('python3', ['-c', code], { encoding: 'utf8' });

describe('NumPy files of the training toolkit', () => {
  it('reads the int16 and float32 arrays of a numpy.savez archive, past entries of other types', () => {
    const archive = join(dir, 'utterance.npz');
    python(`import numpy as np
np.savez(${JSON.stringify(archive)}, features=np.arange(12, dtype=np.float32).reshape(3, 4) / 8, phone_labels=np.array(['sil', 'p', 'aa']), audio=np.array([-32768, -1, 0, 7, 32767], dtype=np.int16), envelope=np.float32([0.5, 0.25, 0.125]))`);
    const arrays = readNpz(readFileSync(archive), 'utterance');
    expect([...arrays.keys()]).toEqual(['features', 'audio', 'envelope']);
    expect(arrays.get('features')).toEqual({ dtype: '<f4', shape: [3, 4], data: Float32Array.from({ length: 12 }, (_, i) => i / 8) });
    expect(arrays.get('audio')).toEqual({ dtype: '<i2', shape: [5], data: Int16Array.of(-32768, -1, 0, 7, 32767) });
    expect(arrays.get('envelope')?.data).toEqual(Float32Array.of(0.5, 0.25, 0.125));
  });

  it('refuses a compressed archive, naming it', () => {
    const archive = join(dir, 'compressed.npz');
    python(`import numpy as np; np.savez_compressed(${JSON.stringify(archive)}, audio=np.zeros(100, dtype=np.int16))`);
    expect(() => readNpz(readFileSync(archive), 'compressed')).toThrow('compressed: entry audio.npy is compressed (numpy.savez_compressed)');
  });

  it('writes float32 arrays that numpy.load reads back exactly', () => {
    const rows = Float32Array.from({ length: 6 * 224 }, (_, i) => Math.fround(Math.sin(i) * 1e3));
    const file = join(dir, 'rows.npy');
    writeFileSync(file, float32Npy(rows, [6, 224]));
    const summary = python(`import hashlib, numpy as np
a = np.load(${JSON.stringify(file)})
print(a.dtype, a.shape, a.flags['C_CONTIGUOUS'], hashlib.sha256(a.tobytes()).hexdigest())`).trim();
    const digest = createHash('sha256').update(new Uint8Array(rows.buffer)).digest('hex');
    expect(summary).toBe(`float32 (6, 224) True ${digest}`);
  });
});
