// `atcr-verify export IMAGE -o FILE`: an offline bundle of everything verification reads
// (signature-format.md "Offline bundles"), for `verify --offline --bundle FILE`.

import { rename, rm, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { DiscoveryError, Verifier, type ExportResult } from '../../kernel/index.js';
import { CliError, EXIT } from '../errors.js';
import { out, safeText, withDeadline } from '../io.js';
import { addDeprecatedOutput, destinationOf } from '../flags.js';
import { addNetworkOptions, discoveryFailure, verifierSettings, type NetworkFlags } from './verify.js';

interface ExportFlags extends NetworkFlags {
  outFile?: string;
  /** Deprecated spelling of --out-file. */
  output?: string;
  quiet?: boolean;
}

export function registerExport(program: Command): void {
  const cmd = program
    .command('export')
    .description('Write an offline bundle of an image and its signatures, for verify --offline.')
    .argument('<image>', 'image reference, e.g. atcr.io/alice/app:1.0')
    .option('-o, --out-file <file>', 'where to write the bundle (JSON); required')
    .option('--quiet', 'print nothing on success');
  addDeprecatedOutput(cmd, 'the bundle file');
  addNetworkOptions(cmd)
    .addHelpText('after', '\nExample:\n  atcr-verify export atcr.io/alice/app:1.0 -o bundle.json\n  atcr-verify verify atcr.io/alice/app:1.0 --offline --bundle bundle.json\n')
    .action(async (image: string, flags: ExportFlags) => {
      const file = destinationOf('export', flags.outFile, flags.output, '-o/--out-file FILE');
      if (file === undefined) throw new CliError('export needs -o FILE: where to write the bundle', EXIT.usage);
      const { settings, deadlineMs } = verifierSettings(flags);
      const verifier = new Verifier(settings);
      let result: ExportResult;
      try {
        result = await withDeadline(deadlineMs, flags.timeout, (signal) => verifier.export(image, { signal }));
      } catch (err) {
        if (err instanceof DiscoveryError) throw discoveryFailure(err);
        throw err;
      }
      // Written beside the target and renamed: a reader never sees half a bundle.
      const partial = `${file}.${process.pid}.partial`;
      try {
        await writeFile(partial, result.text);
        await rename(partial, file);
      } catch (err) {
        await rm(partial, { force: true });
        throw new CliError(`cannot write ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, EXIT.usage);
      }
      const valid = result.report.signatures.filter((s) => s.valid).length;
      if (!flags.quiet) {
        await out(
          `wrote ${safeText(file)}: ${result.report.digest}, ${result.bundle.signatures.length} signature artifact(s), ${valid} valid now\n`,
        );
      }
    });
}
