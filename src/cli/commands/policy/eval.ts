// `policy eval FILE --input FILE|-`: one decision, or an array of decisions for an array
// of inputs (batch). The CLI supplies `now` when an input lacks it (decision.md).

import { Command, Option } from 'commander';
import { CliError, EXIT } from '../../errors.js';
import { openEngine, type EngineName } from '../../engines.js';
import { evaluateInputs, evaluateJsonBatch, withNow } from '../../../batch/evaluate-batch.js';
import { inputText, out, parseJsonInput, readInputBytes, safeJson } from '../../io.js';
import { loadPolicyOrFail } from '../../policy-file.js';
import { parseInstant } from '../../../ir/time.js';
import { inputsShapeProblem } from '../../input-shape.js';

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
      const bytes = await readInputBytes(opts.input, 'input file');
      const engine = await openEngine(opts.engine, ir);
      try {
        // The native engine reads a batch straight from its bytes. Anything that is not a
        // JSON array (a single input, a syntax error to report) takes the general path.
        let batch = opts.engine === 'native' ? evaluateJsonBatch(bytes, engine.evaluate, now) : null;
        // The fast path decides malformed inputs as the engines do; only then (rarely) is the
        // input read again to say where it is wrong.
        if (batch && batch.json.includes('the input is malformed')) batch = null;
        if (!batch) {
          const data = parseJsonInput(inputText(bytes), inputName);
          const problem = inputsShapeProblem(data);
          if (problem) throw new CliError(`${inputName}: ${problem}`, EXIT.usage);
          if (!Array.isArray(data)) {
            const d = engine.evaluate(withNow(data, now));
            await out(safeJson(d) + '\n');
            process.exitCode = d.allowed ? EXIT.ok : EXIT.negative;
            return;
          }
          batch = evaluateInputs(data, engine.evaluate, now);
        }
        await out(batch.json);
        process.exitCode = batch.denied ? EXIT.negative : EXIT.ok;
      } finally {
        engine.close();
      }
    });
}
