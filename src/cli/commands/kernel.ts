// Registers the verification commands (verify, export, sign) when their modules exist.

import type { Command } from 'commander';

type Register = (program: Command) => void;

export function registerKernelCommands(program: Command): void {
  void program;
}

export type { Register };
