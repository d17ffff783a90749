// `policy test PATH…`: runs test suites on one engine or all, closing with `N passed, N failed`.

import { addFormatOption, formatOf, type FormatFlags } from '../../flags.js';
import { Command, Option } from 'commander';
import { formatText } from '../../../diagnostics/format.js';
import { findSuites, loadSuite, runCase, type CaseResult } from '../../../testing/suite.js';
import { CliError, EXIT } from '../../errors.js';
import { ENGINE_NAMES, openEngine, type EngineName, type RunnableEngine } from '../../engines.js';
import { out, safeJson, safeText } from '../../io.js';
import { escapeLines } from '../../../text/escape.js';
import { loadPolicyOrFail } from '../../policy-file.js';
import { displayPath } from '../../../policy/load.js';

export function registerTest(policy: Command): void {
  const cmd = policy
    .command('test')
    .description('run policy test suites (*.test.yaml) and report each case')
    .argument('<path...>', 'suite files or directories to search for *.test.yaml')
    .addOption(new Option('--engine <engine>', 'engine(s) to run each case on').choices(['native', 'wasm', 'all']).default('native'));
  addFormatOption(cmd, { primary: 'output', choices: ['text', 'json'], help: 'output format' })
    .addHelpText('after', '\nExample:\n  atcr-verify policy test policies/ --engine all')
    .action(async (paths: string[], opts: { engine: EngineName | 'all' } & FormatFlags) => {
      const format = formatOf(opts);
      const { files, unreadable } = await findSuites(paths);
      // A directory that cannot be listed may hold suites: the run would be incomplete.
      if (unreadable.length > 0) throw new CliError(unreadable.map(safeText).join('\n'), EXIT.usage);
      if (files.length === 0) throw new CliError(`no test suites (*.test.yaml) found in ${safeText(paths.join(', '))}`, EXIT.usage);
      const names: EngineName[] = opts.engine === 'all' ? [...ENGINE_NAMES] : [opts.engine];
      const report: { file: string; policy: string; cases: CaseResult[] }[] = [];
      let passed = 0;
      let failed = 0;
      let text = '';
      for (const file of files) {
        const { suite, diagnostics } = await loadSuite(file);
        if (!suite) {
          process.stderr.write(formatText(diagnostics));
          throw new CliError(`${safeText(file)} is not a valid test suite`, EXIT.usage);
        }
        const { ir } = await loadPolicyOrFail(suite.policyFile);
        const engines: RunnableEngine[] = [];
        try {
          for (const n of names) engines.push(await openEngine(n, ir));
          const results = suite.cases.map((c) => runCase(c, engines));
          report.push({ file: suite.file, policy: displayPath(suite.policyFile), cases: results });
          text += `${safeText(suite.file)}\n`;
          for (const r of results) {
            if (r.passed) passed++;
            else failed++;
            text += `  ${r.passed ? '✓ passed' : '✗ FAILED'}  ${safeText(r.name)}\n`;
            for (const p of r.problems) text += `      ${safeText(p)}\n`;
          }
        } finally {
          for (const e of engines) e.close();
        }
      }
      if (format === 'json') {
        await out(safeJson({ engines: names, suites: report, passed, failed }) + '\n');
      } else {
        await out(escapeLines(`${text}\n${passed} passed, ${failed} failed\n`));
      }
      process.exitCode = failed > 0 ? EXIT.negative : EXIT.ok;
    });
}
