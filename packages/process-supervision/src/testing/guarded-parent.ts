// A parent for the guard's tests: starts a guard, two detached children registered with it (the stage-0 one ignores
// SIGTERM), a file for the guard to remove, prints {"guard","children","file"} and then waits, or with "release"
// stops its children and releases the guard itself.
import { writeFileSync } from 'node:fs';
import { spawnProcess } from '../spawn-process.ts';
import { startProcessGuard } from '../process-guard.ts';

const [file = '', mode = 'wait'] = process.argv.slice(2);
const guard = await startProcessGuard({ graceMs: 300 });
const stubborn = spawnProcess({ name: 'stubborn', command: 'sh', args: ['-c', 'trap "" TERM; sleep 60 & wait; wait'], detached: true, guard, guardStage: 0 });
const database = spawnProcess({ name: 'database', command: 'sleep', args: ['60'], detached: true, guard, guardStage: 1 });
writeFileSync(file, 'secret');
guard.removeFileOnOrphan(file, 'secret');
process.stdout.write(`${JSON.stringify({ guard: guard.pid, children: [stubborn.pid, database.pid], file })}\n`);
if (mode === 'release') {
  await Promise.all([stubborn.stop(200), database.stop(200)]);
  await guard.close();
} else {
  setInterval(() => {}, 1000);
}
