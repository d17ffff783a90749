// `atcr-verify policy …`: the tools security teams use to write, check and ship policies.

import { Command } from 'commander';
import { registerLint } from './lint.js';
import { registerExplain } from './explain.js';
import { registerEval } from './eval.js';
import { registerTest } from './test.js';
import { registerSchema } from './schema.js';
import { registerCompile } from './compile.js';

export function registerPolicy(program: Command): void {
  const policy = program
    .command('policy')
    .description('lint, explain, evaluate, test and compile trust policies')
    .exitOverride();
  registerLint(policy);
  registerExplain(policy);
  registerEval(policy);
  registerTest(policy);
  registerCompile(policy);
  registerSchema(policy);
}
