// Entry of the guard process (see process-guard.ts): reads what to stop from its stdin, one JSON message a line;
// when stdin ends without a release, the parent is gone and the guard stops what is registered.
import { readFileSync, unlinkSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { isProcessAlive, sendSignal, waitUntilGone } from './process-alive.ts';
import type { GuardMessage } from './process-guard.ts';

const graceMs = Number(process.argv[2] ?? 5000);
const watched = new Map<number, { stage: number; group: boolean }>();
const files = new Map<string, string | null>();
let released = false;
let cleaning = false;

async function stopStage(stage: number): Promise<void> {
  const targets = [...watched].filter(([, w]) => w.stage === stage);
  const pids = targets.map(([pid]) => pid);
  for (const pid of pids) sendSignal(pid, 'SIGTERM');
  if (!(await waitUntilGone(pids, graceMs))) {
    for (const [pid, w] of targets) if (isProcessAlive(pid) && !(w.group && sendSignal(pid, 'SIGKILL', true))) sendSignal(pid, 'SIGKILL');
  }
  // What they started in their own groups and left behind.
  for (const [pid, w] of targets) if (w.group) sendSignal(pid, 'SIGKILL', true);
  await waitUntilGone(pids, 5000);
}

function removeFiles(): void {
  for (const [path, ifContent] of files) {
    try {
      if (ifContent === null || readFileSync(path, 'utf8') === ifContent) unlinkSync(path);
    } catch {
      // already gone, or not ours any more
    }
  }
}

function cleanUp(): void {
  if (cleaning) return;
  cleaning = true;
  const stages = [...new Set([...watched.values()].map((w) => w.stage))].sort((a, b) => a - b);
  void (async () => {
    for (const stage of stages) await stopStage(stage);
    removeFiles();
    process.exit(0);
  })();
}

function apply(message: GuardMessage): void {
  if (message.op === 'watch') watched.set(message.pid, { stage: message.stage, group: message.group });
  else if (message.op === 'forget') watched.delete(message.pid);
  else if (message.op === 'file') files.set(message.path, message.ifContent);
  else released = true;
}

createInterface({ input: process.stdin })
  .on('line', (line) => {
    if (line.trim() === '') return;
    try {
      apply(JSON.parse(line) as GuardMessage);
    } catch {
      // a line cut short by the parent's death; the next ones still count
    }
  })
  .on('close', () => (released ? process.exit(0) : cleanUp()));
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, cleanUp);
process.stdout.on('error', () => {});
process.stdout.write('ready\n');
