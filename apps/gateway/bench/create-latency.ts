// Create latency through app.inject() against a real redis-server and filesystem storage, with the face check at
// create off and on (the same 320x320 test portrait), and the event loop's delay meanwhile (a blocked loop shows there):
// `npx tsx --conditions=portrait-farm-source apps/gateway/bench/create-latency.ts [requests]` prints median, p95 and max in milliseconds.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { auth, GatewayHarness, jobForm } from '../src/testing/gateway-harness.ts';

const requests = Number(process.argv[2] ?? 100);
const harness = await GatewayHarness.start();
const at = (sorted: number[], q: number): string => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
try {
  const form = await jobForm();
  for (const faceCheck of [false, true]) {
    const gateway = await harness.gateway({ faceCheck, limits: { jobsPerMinute: 100_000, requestsPerMinute: 100_000, maxConcurrentJobs: 100_000 } });
    const timings = { create: [] as number[], get: [] as number[] };
    const loop = monitorEventLoopDelay({ resolution: 5 });
    for (let i = 0; i < requests + 5; i += 1) {
      if (i === 5) loop.enable();
      let started = performance.now();
      const created = await gateway.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(undefined, form.headers), payload: form.payload });
      const createMs = performance.now() - started;
      if (created.statusCode !== 202) throw new Error(`create answered ${created.statusCode}: ${created.body}`);
      started = performance.now();
      await gateway.app.inject({ method: 'GET', url: `/v1/jobs/${created.json<{ id: string }>().id}`, headers: auth() });
      const getMs = performance.now() - started;
      if (i >= 5) {
        timings.create.push(createMs);
        timings.get.push(getMs);
      }
    }
    loop.disable();
    console.log(`face check ${faceCheck ? 'on' : 'off'}:`);
    for (const [name, values] of Object.entries(timings)) {
      const sorted = [...values].sort((a, b) => a - b);
      console.log(`  ${name}: n=${sorted.length} median ${at(sorted, 0.5)} ms, p95 ${at(sorted, 0.95)} ms, max ${at(sorted, 1)} ms`);
    }
    const ms = (ns: number): string => (ns / 1e6).toFixed(1);
    console.log(`  event loop delay: p50 ${ms(loop.percentile(50))} ms, p99 ${ms(loop.percentile(99))} ms, max ${ms(loop.max)} ms`);
  }
} finally {
  await harness.close();
}
