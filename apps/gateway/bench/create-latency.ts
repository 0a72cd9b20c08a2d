// Create latency through app.inject() against a real redis-server and filesystem storage:
// `npx tsx apps/gateway/bench/create-latency.ts [requests]` prints median, p95 and max in milliseconds.
import { auth, GatewayHarness, jobForm } from '../src/testing/gateway-harness.ts';

const requests = Number(process.argv[2] ?? 100);
const harness = await GatewayHarness.start();
try {
  const gateway = await harness.gateway({ limits: { jobsPerMinute: 100_000, requestsPerMinute: 100_000, maxConcurrentJobs: 100_000 } });
  const form = await jobForm();
  const timings = { create: [] as number[], get: [] as number[] };
  for (let i = 0; i < requests + 5; i += 1) {
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
  for (const [name, values] of Object.entries(timings)) {
    const sorted = [...values].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
    console.log(`${name}: n=${sorted.length} median ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms`);
  }
} finally {
  await harness.close();
}
