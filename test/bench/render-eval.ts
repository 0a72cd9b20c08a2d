// npm run eval:render -- [--pack models/starter] [--image portrait.png] [--clips DIR]... [--seed 0] [--steps N] [--guidance X] [--json out.json]
//   [--rescore earlier.json]: score the mouth curves an earlier run saved (--json) again, without rendering, with
//   the phones of the same --clips folders (for a change of the measure).
// Renders clips with the pack, re-detects the face on every output frame and scores the mouth against the phone
// timings, and the head pose's motion against the targets'. Clip folders hold NAME.wav + NAME.phones.json (+
// NAME.target.json); each folder is reported as its own set, named after it. The committed synthetic fixture is
// always included; the natural-rate evaluation sets come from `python -m portrait_train.eval_clips --sets evaldata
// --out DIR` (one folder per set), held-out training speech from `--data data`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createEngine } from '@portrait-farm/engine';
import { clipsInFolder, evaluateRenders, scorePhones, summarise, summaryTable, type ClipEvaluation, type EvaluationClip } from '@portrait-farm/evaluation';
import { STARTER_PACK } from '@portrait-farm/test-support/repo-models';

const { values } = parseArgs({
  options: {
    pack: { type: 'string', default: STARTER_PACK },
    image: { type: 'string' },
    clips: { type: 'string', multiple: true, default: [] },
    seed: { type: 'string', default: '0' },
    steps: { type: 'string' },
    guidance: { type: 'string' },
    json: { type: 'string' },
    rescore: { type: 'string' },
  },
});
const fixtures = new URL('../fixtures/', import.meta.url).pathname;
const clips: EvaluationClip[] = [
  { name: 'speech-3s', audio: join(fixtures, 'speech-3s.wav'), phones: (await import(join(fixtures, 'speech-3s.phones.json'), { with: { type: 'json' } })).default, kind: 'fixture' },
  ...values.clips.flatMap((dir) => clipsInFolder(dir, basename(dir.replace(/\/+$/, '')))),
];
if (values.rescore !== undefined) {
  const saved = (JSON.parse(readFileSync(values.rescore, 'utf8')) as { results: ClipEvaluation[] }).results;
  const byName = new Map(clips.map((clip) => [`${clip.kind}/${clip.name}`, clip]));
  const results = saved.flatMap((result) => {
    const clip = byName.get(`${result.kind}/${result.name}`);
    return clip === undefined ? [] : [{ ...result, scores: scorePhones(result.opening, clip.phones, 25) }];
  });
  console.log(`render evaluation re-scored from ${values.rescore} (${results.length} of ${saved.length} clips found in --clips)`);
  console.log(summaryTable(summarise(results)));
  process.exit(0);
}
const work = mkdtempSync(join(tmpdir(), 'render-eval-'));
const engine = await createEngine({ pack: values.pack, providers: ['cpu'] });
try {
  const results = await evaluateRenders(engine, {
    image: values.image ?? join(fixtures, 'astronaut.png'),
    clips,
    workDir: work,
    seed: Number(values.seed),
    ...(values.steps === undefined ? {} : { steps: Number(values.steps) }),
    ...(values.guidance === undefined ? {} : { guidance: Number(values.guidance) }),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const summary = summarise(results);
  console.log(`render evaluation: pack ${values.pack}, image ${values.image ?? 'astronaut.png'}, seed ${values.seed}, steps ${values.steps ?? 'default'}, guidance ${values.guidance ?? 'default'}`);
  console.log(summaryTable(summary));
  if (values.json) writeFileSync(values.json, JSON.stringify({ summary, results }, null, 2));
} finally {
  await engine.close();
  rmSync(work, { recursive: true, force: true });
}
