// `policy compile FILE --target …`: writes the artifacts of one target (or all, each in
// its own subdirectory) and prints their paths.

import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, Option } from 'commander';
import { CompileError, type Artifact, type CompileOptions } from '../../../backends/artifact.js';
import { compileTargets, TARGETS, type Target } from '../../../backends/index.js';
import { CliError, EXIT } from '../../errors.js';
import { out, safeText } from '../../io.js';
import { loadPolicyOrFail } from '../../policy-file.js';

/**
 * mkdir -p, one level at a time: Node's recursive mkdir spins forever under some
 * pseudo-filesystems (e.g. /proc), and a file in the way deserves a clear error.
 */
async function makeDirectories(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const st = await stat(d).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    if (st) {
      if (!st.isDirectory()) throw Object.assign(new Error(`${d} is not a directory`), { code: 'ENOTDIR' });
      break;
    }
    missing.push(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing.reverse()) await mkdir(d).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
}

function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOTDIR':
      return e.message.includes('is not a directory') ? e.message : 'a path component is a file, not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'the directory cannot be created there';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on device';
    default:
      return e.code ?? String(e.message);
  }
}

export function registerCompile(policy: Command): void {
  policy
    .command('compile')
    .description('compile a policy to Rego, OPA WebAssembly, Gatekeeper or Kyverno artifacts')
    .argument('<file>', 'trust policy file')
    .addOption(new Option('--target <target>', 'what to produce').choices([...TARGETS, 'all']).makeOptionMandatory())
    .option('-o, --output <dir>', 'output directory', './build/policy')
    .option('--service-url <url>', 'URL of the atcr-verify service (Gatekeeper provider, Kyverno apiCall)')
    .option('--exclude-namespace <ns...>', 'namespaces Gatekeeper constraints skip (default: kube-system gatekeeper-system)')
    .addHelpText('after', '\nExample:\n  atcr-verify policy compile policies/production.yaml --target all -o build/policy')
    .action(async (file: string, opts: { target: Target | 'all'; output: string; serviceUrl?: string; excludeNamespace?: string[] }) => {
      const { ir } = await loadPolicyOrFail(file);
      const copts: CompileOptions = {};
      if (opts.serviceUrl) copts.serviceUrl = opts.serviceUrl;
      if (opts.excludeNamespace) copts.excludedNamespaces = opts.excludeNamespace;
      let artifacts: Artifact[];
      try {
        artifacts = await compileTargets(ir, opts.target, copts);
      } catch (err) {
        if (err instanceof CompileError) throw new CliError(`cannot compile ${safeText(file)}: ${safeText(err.message)}`, EXIT.usage);
        throw err;
      }
      const written: string[] = [];
      for (const a of artifacts) {
        const dest = path.join(opts.output, ...a.path.split('/'));
        try {
          await makeDirectories(path.dirname(dest));
          await writeFile(dest, a.content);
        } catch (err) {
          throw new CliError(`cannot write ${safeText(dest)} (-o ${safeText(opts.output)}): ${safeText(describeFsError(err))}`, EXIT.usage);
        }
        written.push(dest);
      }
      await out(written.map((w) => `${safeText(w)}\n`).join(''));
    });
}
