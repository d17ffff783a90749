// `policy eval FILE --input FILE|-`: one decision, or an array of decisions for an array
// of inputs (batch). The CLI supplies `now` when an input lacks it (decision.md).

import { Command, Option } from 'commander';
import { CliError, EXIT } from '../../errors.js';
import { openEngine, type EngineName } from '../../engines.js';
import { escapeJsonText, out, parseJsonInput, readInput, safeJson } from '../../io.js';
import { loadPolicyOrFail } from '../../policy-file.js';
import { parseInstant } from '../../../ir/time.js';

export function registerEval(policy: Command): void {
  policy
    .command('eval')
    .description('evaluate decision inputs (JSON) against a policy and print the decisions (exit 1 when any is denied)')
    .argument('<file>', 'trust policy file')
    .requiredOption('--input <file>', 'input JSON file, or - for standard input; an array gives an array of decisions')
    .addOption(new Option('--engine <engine>', 'engine to evaluate with').choices(['native', 'wasm']).default('native'))
    .option('--now <time>', 'RFC 3339 time for inputs without `now` (default: the current time)')
    .addHelpText(
      'after',
      `\nExample:\n  echo '{"image":"atcr.io/acme/prod-api:1.4","signatures":[]}' | atcr-verify policy eval policies/production.yaml --input -`,
    )
    .action(async (file: string, opts: { input: string; engine: EngineName; now?: string }) => {
      if (opts.now !== undefined && !parseInstant(opts.now)) {
        throw new CliError(`--now ${JSON.stringify(opts.now)} is not an RFC 3339 time (e.g. 2026-11-25T12:00:00Z)`, EXIT.usage);
      }
      const now = opts.now ?? new Date().toISOString();
      const { ir } = await loadPolicyOrFail(file);
      const inputName = opts.input === '-' ? '<stdin>' : opts.input;
      const data = parseJsonInput(await readInput(opts.input, 'input file'), inputName);
      const engine = await openEngine(opts.engine, ir);
      try {
        const withNow = (i: unknown): unknown =>
          i !== null && typeof i === 'object' && !Array.isArray(i) && (i as { now?: unknown }).now === undefined ? { ...i, now } : i;
        if (Array.isArray(data)) {
          // One decision per line inside the array: fast to write, easy to diff and stream.
          const parts: string[] = new Array(data.length);
          let denied = false;
          for (let k = 0; k < data.length; k++) {
            const d = engine.evaluate(withNow(data[k]));
            denied ||= !d.allowed;
            parts[k] = JSON.stringify(d);
          }
          await out(parts.length === 0 ? '[]\n' : escapeJsonText(`[\n${parts.join(',\n')}\n]\n`));
          process.exitCode = denied ? EXIT.negative : EXIT.ok;
        } else {
          const d = engine.evaluate(withNow(data));
          await out(safeJson(d) + '\n');
          process.exitCode = d.allowed ? EXIT.ok : EXIT.negative;
        }
      } finally {
        engine.close();
      }
    });
}
