// npx tsx test/bench/cpuprofile-summary.ts <file.cpuprofile> [--top 15]
// Self time per function of a V8 CPU profile (node --cpu-prof), largest first: as a share of all samples, and of
// the busy ones (all but "(idle)", the thread waiting).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
}

const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '15' } }, allowPositionals: true });
const file = positionals[0];
if (file === undefined) throw new Error('usage: cpuprofile-summary.ts <file.cpuprofile> [--top 15]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;

const nameOf = new Map<number, string>();
for (const { id, callFrame } of profile.nodes) {
  const where = callFrame.url === '' ? '' : ` ${basename(callFrame.url)}`;
  nameOf.set(id, `${callFrame.functionName || '(anonymous)'}${where}`);
}
const selfSamples = new Map<string, number>();
for (const id of profile.samples) {
  const name = nameOf.get(id) ?? '(unknown)';
  selfSamples.set(name, (selfSamples.get(name) ?? 0) + 1);
}
const total = profile.samples.length;
const busy = total - (selfSamples.get('(idle)') ?? 0);
const share = (count: number, of: number): string => `${((100 * count) / of).toFixed(1).padStart(5)} %`;
console.log(`${total} samples, ${busy} busy; self time, top ${values.top}:`);
console.log('    all     busy  function');
for (const [name, count] of [...selfSamples].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
  console.log(`${share(count, total)}  ${name === '(idle)' ? '     -  ' : share(count, busy)}  ${name}`);
}
