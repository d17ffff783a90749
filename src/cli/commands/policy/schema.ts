// `policy schema`: prints the trust policy JSON Schema (for editors and CI).

import type { Command } from 'commander';
import { trustPolicySchema } from '../../../policy/schema.js';
import { out } from '../../io.js';

export function registerSchema(policy: Command): void {
  policy
    .command('schema')
    .description('print the trust policy JSON Schema (draft 2020-12)')
    .addHelpText(
      'after',
      '\nExample:\n  atcr-verify policy schema > trust-policy.schema.json\n  # then start a policy with: # yaml-language-server: $schema=./trust-policy.schema.json',
    )
    .action(async () => {
      await out(JSON.stringify(trustPolicySchema(), null, 2) + '\n');
    });
}
