// `policy lint FILE…`: errors and warnings in text, json, sarif or GitHub format.

import { addFormatOption, formatOf, type FormatFlags } from '../../flags.js';
import type { Command } from 'commander';
import { escapeControls, formatDiagnostics, type LintFormat } from '../../../diagnostics/format.js';
import { counted, sortDiagnostics, type Diagnostic } from '../../../diagnostics/diagnostic.js';
import { CliError, EXIT } from '../../errors.js';
import { out, toolVersion } from '../../io.js';
import { isSuiteName, loadSuite } from '../../../testing/suite.js';
import path from 'node:path';
import { findFiles } from '../../../fs/walk.js';


const YAML = /\.ya?ml$/;

export function registerLint(policy: Command): void {
  const cmd = policy
    .command('lint')
    .description('check trust policy files and report findings')
    .argument('<path...>', 'trust policy files, or directories to search for *.yaml (*.test.yaml files are checked as test suites)');
  addFormatOption(cmd, { primary: 'format', choices: ['text', 'json', 'sarif', 'github'], help: 'output format' })
    .option('--strict', 'fail (exit 1) on warnings too')
    .addHelpText('after', '\nExample:\n  atcr-verify policy lint policies/*.yaml --format sarif > lint.sarif')
    .action(async (paths: string[], flags: { strict?: boolean } & FormatFlags) => {
      const opts = { format: formatOf(flags) as LintFormat, strict: flags.strict };
      // Loaded on use: the automata behind the warning rules are not needed by other commands.
      const { lintFile } = await import('../../../lint/index.js');
      // A file that is not there is a usage error (exit 2), not a finding about a policy.
      const all: Diagnostic[] = [];
      // Directories as in `policy test DIR` (src/fs/walk.ts); one that cannot be listed is an input error.
      const { files, unreadable } = await findFiles(paths, (name) => YAML.test(name));
      if (unreadable.length > 0) throw new CliError(unreadable.map(escapeControls).join('\n'), EXIT.usage);
      for (const f of files) {
        // Suites sit next to policies (policies/*.yaml holds both): check each as what it is.
        if (isSuiteName(path.basename(f))) {
          all.push(...(await loadSuite(f)).diagnostics);
          continue;
        }
        const r = await lintFile(f);
        if (r.unreadable) throw new CliError(`the policy file ${escapeControls(r.unreadable)}`, EXIT.usage);
        all.push(...r.diagnostics);
      }
      const ds = sortDiagnostics(all);
      await out(formatDiagnostics(ds, opts.format, toolVersion()));
      // For a person, silence reads as "did it run?": a clean text lint says so. Machine formats stay as they are.
      if (opts.format === 'text' && counted(ds).length === 0) {
        await out(`${files.length} file${files.length === 1 ? '' : 's'} checked, no findings\n`);
      }
      // Suppressed findings are in json and sarif (marked); text and github leave them out and say how many.
      const suppressed = ds.length - counted(ds).length;
      if (suppressed > 0 && (opts.format === 'text' || opts.format === 'github')) {
        process.stderr.write(`atcr-verify: ${suppressed} suppressed finding${suppressed === 1 ? '' : 's'} not shown (--format json lists them with their reasons)\n`);
      }
      const failing = counted(ds).some((d) => d.severity === 'error' || (opts.strict && d.severity === 'warning'));
      process.exitCode = failing ? EXIT.negative : EXIT.ok;
    });
}
