// `policy compile FILE --target …`: writes the artifacts of one target (or all, each in
// its own subdirectory) and prints their paths.

import { addDeprecatedOutput, destinationOf } from '../../flags.js';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { FileReadError, readBounded } from '../../../fs/read-bounded.js';
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

/** The targets that talk to the atcr-verify service, and Gatekeeper's HTTPS rule. */
function checkServiceUrl(text: string, target: Target | 'all'): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(`--service-url ${safeText(JSON.stringify(text))} is not an absolute URL (e.g. https://atcr-verify.atcr-system.svc)`, EXIT.usage);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new CliError(`--service-url must be an http or https URL, not ${url.protocol}`, EXIT.usage);
  }
  if ((target === 'gatekeeper' || target === 'all') && url.protocol !== 'https:') {
    throw new CliError('--service-url must be https for Gatekeeper (its external data providers only speak HTTPS)', EXIT.usage);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new CliError('--service-url must not carry credentials, a query or a fragment', EXIT.usage);
  }
  return text;
}

/** A CA bundle is small: a file beyond this is not one. */
const MAX_CA_BUNDLE_BYTES = 1 << 20;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----/u;

/** Reads `--ca-bundle` with the project's bounded reader: at most 1 MiB of PEM certificates, nothing unprintable. */
async function readCaBundle(file: string): Promise<string> {
  let text: string;
  try {
    text = (await readBounded(file, { maxBytes: MAX_CA_BUNDLE_BYTES, what: '--ca-bundle' })).toString('utf8');
  } catch (err) {
    if (err instanceof FileReadError) throw new CliError(err.message, EXIT.usage);
    throw err;
  }
  const fail = (why: string): never => {
    throw new CliError(`--ca-bundle ${safeText(file)}: ${why}`, EXIT.usage);
  };
  if (!PEM_CERTIFICATE.test(text)) fail('holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
  if (/[^\x20-\x7e\r\n\t]/u.test(text)) fail('holds characters that are not printable ASCII');
  return text;
}

interface CompileFlags {
  target: Target | 'all';
  outDir?: string;
  /** Deprecated spelling of --out-dir. */
  output?: string;
  serviceUrl?: string;
  excludeNamespace?: string[];
  caBundle?: string;
  pinDigests?: boolean;
}

export const DEFAULT_OUT_DIR = './build/policy';

export function registerCompile(policy: Command): void {
  const cmd = policy
    .command('compile')
    .description('compile a policy to Rego, OPA WebAssembly, Gatekeeper or Kyverno artifacts')
    .argument('<file>', 'trust policy file')
    .addOption(new Option('--target <target>', 'what to produce').choices([...TARGETS, 'all']).makeOptionMandatory())
    .option('-o, --out-dir <dir>', `output directory (default ${DEFAULT_OUT_DIR})`)
    .option('--service-url <url>', 'URL of the atcr-verify service (Gatekeeper provider, Kyverno apiCall)')
    .option(
      '--exclude-namespace <ns...>',
      'namespaces the admission objects skip (default: kube-system gatekeeper-system for Gatekeeper, kube-system kyverno for Kyverno)',
    )
    .option('--ca-bundle <file>', "PEM CA certificates of the service's certificate (base64 into Gatekeeper Providers, PEM into Kyverno apiCalls)")
    .option('--pin-digests', 'Gatekeeper: also emit Assign mutations pinning Pod images to their verified digests');
  addDeprecatedOutput(cmd, 'the output directory')
    .addHelpText('after', '\nExample:\n  atcr-verify policy compile policies/production.yaml --target all -o build/policy')
    .action(async (file: string, opts: CompileFlags) => {
      const outDir = destinationOf('policy compile', opts.outDir, opts.output, '-o/--out-dir DIR') ?? DEFAULT_OUT_DIR;
      const copts: CompileOptions = {};
      if (opts.serviceUrl !== undefined) copts.serviceUrl = checkServiceUrl(opts.serviceUrl, opts.target);
      if (opts.excludeNamespace) {
        for (const ns of opts.excludeNamespace) {
          if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/u.test(ns)) {
            throw new CliError(`--exclude-namespace ${safeText(JSON.stringify(ns))} is not a Kubernetes namespace name`, EXIT.usage);
          }
        }
        copts.excludedNamespaces = opts.excludeNamespace;
      }
      if (opts.pinDigests) {
        if (opts.target !== 'gatekeeper' && opts.target !== 'all') {
          throw new CliError('--pin-digests is a Gatekeeper option (use --target gatekeeper or all)', EXIT.usage);
        }
        copts.pinDigests = true;
      }
      if (opts.caBundle !== undefined) copts.caBundle = await readCaBundle(opts.caBundle);
      const { ir } = await loadPolicyOrFail(file);
      let artifacts: Artifact[];
      try {
        artifacts = await compileTargets(ir, opts.target, copts);
      } catch (err) {
        if (err instanceof CompileError) throw new CliError(`cannot compile ${safeText(file)}: ${safeText(err.message)}`, EXIT.usage);
        throw err;
      }
      const written: string[] = [];
      for (const a of artifacts) {
        const dest = path.join(outDir, ...a.path.split('/'));
        try {
          await makeDirectories(path.dirname(dest));
          await writeFile(dest, a.content);
        } catch (err) {
          throw new CliError(`cannot write ${safeText(dest)} (-o ${safeText(outDir)}): ${safeText(describeFsError(err))}`, EXIT.usage);
        }
        written.push(dest);
      }
      await out(written.map((w) => `${safeText(w)}\n`).join(''));
    });
}
