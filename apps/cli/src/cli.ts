import { readFileSync } from 'node:fs';
import { CliError } from './cli-error.ts';
import { COMMANDS, EXIT, findCommand, type CliCommand, type CliIo } from './commands/index.ts';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

export function mainUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const list = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return `Usage: portrait-farm <command> [options]

Commands:
${list}

Run "portrait-farm <command> --help" for a command's options.
Options: -h, --help (this text), --version
`;
}

function usageFailure(io: CliIo, message: string, usage: string | null, hint: string): number {
  io.stderr.write(`portrait-farm: ${message}\n`);
  io.stderr.write(usage === null ? `${hint}\n` : `\n${usage}`);
  return EXIT.usage;
}

async function runCommand(command: CliCommand, argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await command.run(argv, io);
  } catch (error) {
    if (error instanceof CliError && error.code === 'CLI_USAGE') {
      const hint = `Run "portrait-farm ${command.name} --help" for the options and their ranges.`;
      return usageFailure(io, error.message, error.showUsage ? command.usage : null, hint);
    }
    throw error;
  }
}

/** Runs the command line `argv` (without node and the script) and resolves to the process exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help') {
    (first === undefined ? io.stderr : io.stdout).write(mainUsage());
    return first === undefined ? EXIT.usage : EXIT.ok;
  }
  if (first === '--version') {
    io.stdout.write(`${version()}\n`);
    return EXIT.ok;
  }
  if (first === 'help') {
    const command = rest[0] === undefined ? null : findCommand(rest[0]);
    io.stdout.write(command === null ? mainUsage() : command.usage);
    return EXIT.ok;
  }
  const command = findCommand(first);
  if (command === null) {
    const known = COMMANDS.map((c) => c.name).join(', ');
    return usageFailure(io, `unknown command "${first}" (commands: ${known})`, mainUsage(), '');
  }
  return runCommand(command, rest, io);
}
