// An entry for runUntilSignal's tests: says `starting` once it hears signals, starts in argv[2] ms (or fails to,
// with argv[3] `fail`), says `started`, and says `closed` when closed.
import { runUntilSignal } from '../run-until-signal.ts';

const [startMs = '0', outcome = 'start'] = process.argv.slice(2);
const say = (line: string): void => void process.stdout.write(`${line}\n`);
const running = new Promise<{ close(): Promise<void> }>((resolve, reject) =>
  setTimeout(() => (outcome === 'fail' ? reject(new Error('no engine')) : resolve({ close: async () => say('closed') })), Number(startMs)),
);
runUntilSignal('entry', running, say);
say('starting');
await running.then(
  () => say('started'),
  () => say('not started'),
);
setInterval(() => {}, 1000);
