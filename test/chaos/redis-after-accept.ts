import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { judge, submit } from './chaos-farm.ts';
import type { ChaosFarm, JobVerdict } from './chaos-farm.ts';
import { pollFor } from './processes.ts';
import { SETTLE_MS } from './s3-faults.ts';
import type { FaultOutcome } from './s3-faults.ts';

/** The farm's own redis-server's `CONFIG GET name` (through redis-cli), or `?` when it cannot be read. */
function redisConfig(url: string, name: string): string {
  try {
    return execFileSync('redis-cli', ['-u', url, '--raw', 'CONFIG', 'GET', name], { encoding: 'utf8', timeout: 5000 }).trim().split('\n')[1] ?? '?';
  } catch {
    return '?';
  }
}

/** Everything in the append-only files of `dir` (Redis 7: `appendonlydir/*.aof`), as the kernel has it now. */
function appendOnlyText(dir: string): string {
  const aofDir = join(dir, 'appendonlydir');
  try {
    return readdirSync(aofDir)
      .filter((name) => name.endsWith('.aof'))
      .map((name) => readFileSync(join(aofDir, name), 'latin1'))
      .join('');
  } catch {
    return '';
  }
}

/** GET /v1/jobs/{id} once the gateway answers again (Redis back): its HTTP status, or 0 if it never answers. */
async function statusOnceBack(chaos: ChaosFarm, id: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`${chaos.farm.apiUrl}/v1/jobs/${id}`, { headers: { authorization: `Bearer ${chaos.farm.apiKey}` } });
      await response.arrayBuffer();
      if (response.status === 200 || response.status === 404) return response.status;
    } catch {
      // the gateway is there; Redis is not yet
    }
    if (Date.now() > deadline) return 0;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * `count` jobs submitted back to back; redis-server SIGKILLed the moment the last 202 arrives (no delay), then
 * restarted by the farm from the same append-only file and folder. Every accepted id must still exist (GET is not
 * 404 once Redis is back) and end succeeded (same bytes) or failed with a clear error.
 *
 * Before the restart the test reads the append-only file as the kernel has it and counts the accepted ids in it:
 * Redis writes (write(2)) a command to the file before it answers the command, so a process kill loses nothing that
 * was answered (with `everysec`, unless a slow disk made Redis postpone the write while a background fsync ran); what
 * is written but not yet fsynced is lost only when the machine itself goes down (power, kernel panic), which a test
 * on this machine cannot make: `appendfsync always` (the local farm's) is what covers that.
 */
export async function redisKilledAfterAccept(chaos: ChaosFarm, count = 5): Promise<FaultOutcome> {
  const redis = chaos.farm.redis!;
  const fsync = redisConfig(chaos.farm.redisUrl, 'appendfsync');
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(await submit(chaos));
  const pid = redis.pid;
  if (pid === null) throw new Error('redis-server is not running');
  const restarts = redis.restarts;
  process.kill(pid, 'SIGKILL');
  const problems: string[] = [];
  // Dead (the supervisor restarts it after 1 s at the soonest): what the file holds now is what the kill left.
  const dead = await pollFor(() => (redis.pid === null ? true : null), 5000, 1);
  const inFile = dead === null ? -1 : ((text) => ids.filter((id) => text.includes(id)).length)(appendOnlyText(chaos.redisDir));
  if (dead === null) problems.push('redis-server did not die within 5 s of SIGKILL');
  const back = await pollFor(() => (redis.restarts > restarts && redis.pid !== null ? true : null), 30_000, 50);
  if (back === null) problems.push('redis-server did not come back within 30 s');
  const verdicts: JobVerdict[] = [];
  const missing: string[] = [];
  for (const id of ids) {
    const status = await statusOnceBack(chaos, id, 30_000);
    if (status === 200) continue;
    missing.push(id);
    verdicts.push({ id, status: 'lost', sha: null, error: null, problems: [status === 404 ? 'accepted (202), unknown (404) after the restart' : 'the gateway never answered after the restart'] });
  }
  for (const id of ids) if (!missing.includes(id)) verdicts.push(await judge(chaos, id, SETTLE_MS));
  return {
    fault: 'Redis SIGKILL right after 202',
    verdicts,
    problems,
    note: `${count} jobs back to back, redis-server SIGKILLed as the last 202 arrived (appendfsync ${fsync}); accepted ids in the append-only file at the kill: ${inFile < 0 ? '?' : inFile}/${count}; known after the restart: ${count - missing.length}/${count}`,
  };
}
