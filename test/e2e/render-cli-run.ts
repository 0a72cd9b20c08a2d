// Runs `portrait-farm render` as a child process from the sources, with its own temporary folder (TMPDIR) and output
// folder, so a test can read what it printed and see what files it left.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const FIXTURES = join(ROOT, 'test/fixtures');

export interface CliRun {
  child: ChildProcess;
  /** TMPDIR of the child (os.tmpdir() there). */
  scratch: string;
  /** Folder of the output file. */
  outDir: string;
  out: string;
  finished: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

export function startRender(args: string[], onStdoutLine: (line: string, child: ChildProcess) => void = () => {}): CliRun {
  const scratch = mkdtempSync(join(tmpdir(), 'pf-cli-test-tmp-'));
  const outDir = mkdtempSync(join(tmpdir(), 'pf-cli-test-out-'));
  const out = join(outDir, 'talking.mp4');
  const child = spawn(process.execPath, [join(ROOT, 'apps/cli/bin/portrait-farm.js'), 'render', '--out', out, ...args], {
    cwd: ROOT,
    env: { ...process.env, TMPDIR: scratch, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let partial = '';
  child.stdout!.on('data', (data: Buffer) => {
    stdout += data.toString();
    const lines = (partial + data.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onStdoutLine(line, child);
  });
  child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
  const finished = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, scratch, outDir, out, finished };
}
