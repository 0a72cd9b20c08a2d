// Process entry of the portrait-farm command (bin/portrait-farm.js loads it through tsx).
import { runCli } from './cli.ts';

// First Ctrl-C asks the running command to stop and clean up; a second one exits at once.
const interrupt = new AbortController();
process.on('SIGINT', () => {
  if (interrupt.signal.aborted) process.exit(130);
  process.stderr.write('\nStopping (press Ctrl-C again to quit at once)...\n');
  interrupt.abort(new Error('Interrupted by the user'));
});

const io = {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  now: () => performance.now(),
  interrupt: interrupt.signal,
};
const code = await runCli(process.argv.slice(2), io).catch((error: unknown) => {
  process.stderr.write(`portrait-farm: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
});
// Exit explicitly once output is flushed: engine worker threads or child processes must not keep the CLI alive.
process.stdout.write('', () => process.exit(code));
