// npm run eval:render -- [--pack models/starter] [--image portrait.png] [--clips DIR]... [--seed 0] [--steps N] [--guidance X] [--json out.json]
//   [--rescore earlier.json]: score the mouth curves an earlier run saved (--json) again, without rendering, with
//   the phones of the same --clips folders (for a change of the measure).
//   [--no-rest]: score with the fixed thresholds instead of the portrait's own (below).
//   [--no-watermark]: render without the invisible watermark every farm and `render` video carries (on by default,
//   so the frames measured are the ones users get).
// First renders the portrait in silence and reads its sealed mouth: the lips count as closed below that reading plus a
// margin, never below the default 0.08 (a posterised painting's sealed mouth reads about 0.086).
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
import { calibrateRest, clipsInFolder, DEFAULT_THRESHOLDS, evaluateRenders, scorePhones, summarise, summaryTable, type ClipEvaluation, type EvaluationClip, type RestCalibration } from '@portrait-farm/evaluation';
import { STARTER_PACK } from '@portrait-farm/test-support/repo-models';

/** The watermark payload of evaluation renders (any 8 bytes: the measure is of the pixels, not the payload). */
const EVALUATION_WATERMARK = Uint8Array.from(Buffer.from('evaluate'));

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
    'no-rest': { type: 'boolean', default: false },
    'no-watermark': { type: 'boolean', default: false },
  },
});
const fixtures = new URL('../fixtures/', import.meta.url).pathname;
const clips: EvaluationClip[] = [
  { name: 'speech-3s', audio: join(fixtures, 'speech-3s.wav'), phones: (await import(join(fixtures, 'speech-3s.phones.json'), { with: { type: 'json' } })).default, kind: 'fixture' },
  ...values.clips.flatMap((dir) => clipsInFolder(dir, basename(dir.replace(/\/+$/, '')))),
];
if (values.rescore !== undefined) {
  const file = JSON.parse(readFileSync(values.rescore, 'utf8')) as { results: ClipEvaluation[]; rest?: RestCalibration };
  const saved = file.results;
  const thresholds = values['no-rest'] || file.rest === undefined ? DEFAULT_THRESHOLDS : file.rest.thresholds;
  const byName = new Map(clips.map((clip) => [`${clip.kind}/${clip.name}`, clip]));
  const results = saved.flatMap((result) => {
    const clip = byName.get(`${result.kind}/${result.name}`);
    return clip === undefined ? [] : [{ ...result, scores: scorePhones(result.opening, clip.phones, 25, thresholds) }];
  });
  console.log(`render evaluation re-scored from ${values.rescore} (${results.length} of ${saved.length} clips found in --clips), closed below ${thresholds.closed.toFixed(3)}`);
  console.log(summaryTable(summarise(results)));
  process.exit(0);
}
const work = mkdtempSync(join(tmpdir(), 'render-eval-'));
const engine = await createEngine({ pack: values.pack, providers: ['cpu'] });
try {
  const options = {
    image: values.image ?? join(fixtures, 'astronaut.png'),
    clips,
    workDir: work,
    seed: Number(values.seed),
    ...(values.steps === undefined ? {} : { steps: Number(values.steps) }),
    ...(values.guidance === undefined ? {} : { guidance: Number(values.guidance) }),
    log: (line: string) => process.stderr.write(`${line}\n`),
    ...(values['no-watermark'] ? {} : { watermark: { payload: EVALUATION_WATERMARK } }),
  };
  const rest = values['no-rest'] ? undefined : await calibrateRest(engine, options);
  const thresholds = rest?.thresholds ?? DEFAULT_THRESHOLDS;
  const results = await evaluateRenders(engine, { ...options, thresholds });
  const summary = summarise(results);
  console.log(`render evaluation: pack ${values.pack}, image ${values.image ?? 'astronaut.png'}, seed ${values.seed}, steps ${values.steps ?? 'default'}, guidance ${values.guidance ?? 'default'}, watermark ${values['no-watermark'] ? 'off' : 'on'}`);
  console.log(rest === undefined ? `fixed thresholds: closed below ${thresholds.closed}` : `sealed mouth in silence reads ${rest.restOpening.toFixed(3)} mouth widths: closed below ${thresholds.closed.toFixed(3)}, open above ${thresholds.open}`);
  console.log(summaryTable(summary));
  if (values.json) writeFileSync(values.json, JSON.stringify({ summary, rest, results }, null, 2));
} finally {
  await engine.close();
  rmSync(work, { recursive: true, force: true });
}
