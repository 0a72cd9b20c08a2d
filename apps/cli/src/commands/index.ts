import type { CliCommand } from './command.ts';
import { demoCommand } from './demo-command.ts';
import { renderCommand } from './render-command.ts';
import { upCommand } from './up-command.ts';
import { verifyCommand } from './verify-command.ts';

/** Every sub-command, in the order `--help` lists them. */
export const COMMANDS: readonly CliCommand[] = Object.freeze([renderCommand, upCommand, demoCommand, verifyCommand]);

export function findCommand(name: string): CliCommand | null {
  return COMMANDS.find((command) => command.name === name) ?? null;
}

export { EXIT } from './command.ts';
export type { CliCommand, CliIo } from './command.ts';
