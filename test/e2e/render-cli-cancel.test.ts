// Issue 10, item 2: Ctrl-C during the motion stage aborted the process ("terminate called after throwing an instance
// of 'Napi::Error' ... Aborted"): the inference threads were terminated while onnxruntime ran a model in them. A
// render interrupted in any stage now says it was canceled, exits without a native abort and leaves no scratch files.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FIXTURES, startRender, type CliRun } from './render-cli-run.ts';

const IMAGE = ['--image', join(FIXTURES, 'astronaut.png'), '--mode', 'crop', '--json'];
const SHORT = join(FIXTURES, 'speech-3s.wav');
/** 20 s of speech: several segments, so the motion stage runs long enough to be interrupted mid-run. */
const LONG = join(FIXTURES, 'demo-speech-20s.ogg');

interface Event {
  event: string;
  stage?: string;
  done?: number;
  code?: string;
  message?: string;
}

/** Renders, sends SIGINT when `when` first holds for a --json progress event, and returns what happened. */
async function interruptedRender(runs: CliRun[], audio: string, when: (event: Event) => boolean) {
  let sent = false;
  const run = startRender([...IMAGE, '--audio', audio], (line, child) => {
    if (sent || !line.startsWith('{')) return;
    const event = JSON.parse(line) as Event;
    if (event.event === 'progress' && when(event)) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  runs.push(run);
  const result = await run.finished;
  const events = result.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Event);
  return { ...result, sent, events, scratchLeft: readdirSync(run.scratch).filter((name) => name.startsWith('pf-')), outDirLeft: readdirSync(run.outDir) };
}

function expectCanceledCleanly(result: Awaited<ReturnType<typeof interruptedRender>>): void {
  expect(result.sent, 'the stage was reached').toBe(true);
  expect(result.signal, result.stderr).toBeNull();
  expect([1, 130], result.stderr).toContain(result.code);
  expect(result.stderr).not.toMatch(/terminate called|Napi::Error|Aborted|core dumped/);
  expect(result.events.at(-1)).toMatchObject({ event: 'error', code: 'ENGINE_CANCELED', message: 'The render was canceled.' });
  // The engine's scratch in os.tmpdir() is named pf-* (tsx and the GPU libraries keep caches there too).
  expect(result.scratchLeft, 'scratch folders left in os.tmpdir()').toEqual([]);
  expect(result.outDirLeft, 'partial output or chunks left beside the output').toEqual([]);
}

describe('portrait-farm render interrupted by Ctrl-C', () => {
  const runs: CliRun[] = [];
  afterEach(() => {
    for (const run of runs.splice(0)) for (const dir of [run.scratch, run.outDir]) rmSync(dir, { recursive: true, force: true });
  });

  it('cancels cleanly while the denoiser runs in the motion stage', async () => {
    expectCanceledCleanly(await interruptedRender(runs, LONG, (e) => e.stage === 'motion' && (e.done ?? 0) > 0));
  }, 180_000);

  it('cancels cleanly as the motion stage starts', async () => {
    expectCanceledCleanly(await interruptedRender(runs, LONG, (e) => e.stage === 'motion'));
  }, 180_000);

  it.each(['decode', 'audio', 'face', 'motion', 'render', 'encode'])('cancels cleanly in the %s stage', async (stage) => {
    expectCanceledCleanly(await interruptedRender(runs, SHORT, (e) => e.stage === stage));
  }, 180_000);
});
