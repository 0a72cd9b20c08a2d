import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { LocalFarm } from 'portrait-farm/local-farm';
import { STARTER_PACK } from '@portrait-farm/test-support/repo-models';

/** test/fixtures, where the benches' portrait and speech are. */
export const BENCH_FIXTURES = new URL('../fixtures/', import.meta.url).pathname;

/** The demo speech (demo-speech-20s.ogg) looped to `seconds`, written to `out` as mono 44.1 kHz audio; returns `out`. */
export function loopedSpeech(seconds: number, out: string): string {
  execFileSync('ffmpeg', ['-v', 'error', '-stream_loop', '-1', '-i', join(BENCH_FIXTURES, 'demo-speech-20s.ogg'), '-t', String(seconds), '-ac', '1', '-ar', '44100', out]);
  return out;
}

/** The model pack a bench runs: --pack, else PORTRAIT_FARM_PACK, else models/starter; an error if it has no manifest. */
export function benchPack(given: string | undefined): string {
  const pack = given ?? process.env['PORTRAIT_FARM_PACK'] ?? STARTER_PACK;
  if (!existsSync(join(pack, 'manifest.json'))) throw new Error(`No model pack at ${pack}: pass --pack.`);
  return pack;
}

/** The farm benches' job: astronaut.png at 25 fps, full framing, seed 3. */
export const FARM_BENCH_OPTIONS = Object.freeze({ fps: 25, mode: 'full', seed: 3 } as const);

/**
 * POSTs a job of astronaut.png and `audioPath` (with consent) to the farm and returns its id, when the request was
 * sent (ms since the epoch, as the farm's log lines) and the seconds until the 202 (the upload); any other status
 * is an error.
 */
export async function submitFarmJob(farm: LocalFarm, audioPath: string): Promise<{ id: string; sentAt: number; acceptedSeconds: number }> {
  const form = new FormData();
  form.append('consent', JSON.stringify({ attestation: true }));
  form.append('options', JSON.stringify(FARM_BENCH_OPTIONS));
  form.append('image', new Blob([readFileSync(join(BENCH_FIXTURES, 'astronaut.png'))]), 'astronaut.png');
  form.append('audio', new Blob([readFileSync(audioPath)]), 'speech.wav');
  const sentAt = Date.now();
  const response = await fetch(`${farm.apiUrl}/v1/jobs`, { method: 'POST', body: form, headers: { authorization: `Bearer ${farm.apiKey}` } });
  if (response.status !== 202) throw new Error(`POST /v1/jobs with ${basename(audioPath)}: HTTP ${response.status} ${await response.text()}`);
  const { id } = (await response.json()) as { id: string };
  return { id, sentAt, acceptedSeconds: (Date.now() - sentAt) / 1000 };
}

/** What the benches read of GET /v1/jobs/{id}. */
export interface FarmJobView {
  status: string;
  timings: { queuedSeconds: number | null; preparingSeconds: number | null; work: Record<string, number> };
}

/** GET /v1/jobs/{id}, waiting out the gateway's rate limit (429: 600 requests a minute per tenant); other errors throw. */
export async function viewFarmJob(farm: LocalFarm, id: string): Promise<FarmJobView> {
  for (;;) {
    const response = await fetch(`${farm.apiUrl}/v1/jobs/${id}`, { headers: { authorization: `Bearer ${farm.apiKey}` } });
    if (response.ok) return (await response.json()) as FarmJobView;
    if (response.status !== 429) throw new Error(`GET /v1/jobs/${id}: HTTP ${response.status} ${await response.text()}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Whether the job has succeeded; a job that failed or was canceled is an error. */
export function farmJobSucceeded(view: FarmJobView, id: string): boolean {
  if (view.status === 'failed' || view.status === 'canceled') throw new Error(`bench job ${id} ${view.status}`);
  return view.status === 'succeeded';
}
