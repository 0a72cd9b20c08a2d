/**
 * Writes, for every utterance of a training dataset (models/training/DATA.md), the feature rows a realtime session's
 * feature stream makes of its audio: each row from the audio up to --lookahead-ms past its frame's centre, silence
 * after, floored at the running mel peak (the live defaults), exactly as packages/live computes them. A motion model
 * for a short look-ahead is trained on these rows instead of the batch rows, which hear 176 ms past each centre.
 *   npx tsx --conditions=portrait-farm-source packages/audio-features/scripts/live-training-rows.ts \
 *     --data models/training/data --lookahead-ms 40 [--out DIR] [--limit N]
 * Output: DIR/<id>.npy, float32 [frames, 224] (default DIR: <data>/live-rows-<ms>ms); utterances already written are
 * skipped, so an interrupted run resumes.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createAudioFrontEnd, FEATURE_DIM } from '../src/index.ts';
import { float32Npy, readNpz } from '../src/training/npy-files.ts';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: 'models/training/data' },
    'lookahead-ms': { type: 'string', default: '40' },
    out: { type: 'string' },
    limit: { type: 'string' },
  },
});
const lookaheadMs = Number(values['lookahead-ms']);
const out = values.out ?? join(values.data, `live-rows-${lookaheadMs}ms`);
mkdirSync(out, { recursive: true });
const ids = readFileSync(join(values.data, 'index.jsonl'), 'utf8').split('\n').filter((line) => line.trim() !== '').map((line) => (JSON.parse(line) as { id: string }).id);
const todo = ids.slice(0, values.limit === undefined ? ids.length : Number(values.limit)).filter((id) => !existsSync(join(out, `${id}.npy`)));
const models = new URL('../../../models/audio/', import.meta.url);
const frontEnd = await createAudioFrontEnd({
  melModel: fileURLToPath(new URL('melspectrogram.onnx', models)),
  embeddingModel: fileURLToPath(new URL('embedding_model.onnx', models)),
  providers: ['cpu'],
});
const started = performance.now();
let rowsDone = 0;
try {
  for (const [index, id] of todo.entries()) {
    const arrays = readNpz(readFileSync(join(values.data, 'utts', `${id}.npz`)), id);
    const audio = arrays.get('audio');
    const batchRows = arrays.get('features');
    if (audio?.dtype !== '<i2' || batchRows === undefined) throw new Error(`${id}: expected int16 "audio" and "features" arrays`);
    const samples = Float32Array.from(audio.data, (v) => v / 32768);
    const stream = frontEnd.featureStream({ lookaheadMs });
    stream.push(samples);
    stream.end();
    const rows = await stream.rows(0, stream.total!);
    if (rows.frameCount !== batchRows.shape[0]) throw new Error(`${id}: ${rows.frameCount} live rows, ${batchRows.shape[0]} batch rows`);
    const file = join(out, `${id}.npy`);
    writeFileSync(`${file}.partial`, float32Npy(rows.data, [rows.frameCount, FEATURE_DIM]));
    renameSync(`${file}.partial`, file);
    rowsDone += rows.frameCount;
    if ((index + 1) % 100 === 0 || index + 1 === todo.length) {
      const seconds = (performance.now() - started) / 1000;
      console.log(`${index + 1}/${todo.length} utterances, ${rowsDone} rows, ${(rowsDone / seconds).toFixed(0)} rows/s`);
    }
  }
} finally {
  await frontEnd.close();
}
