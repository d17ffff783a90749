// `atcr-verify sign IMAGE --pds URL --identifier HANDLE_OR_DID`: writes the
// io.atcr.manifest record to the signer's PDS and pushes the signature artifact.

import type { Command } from 'commander';
import { CliError, EXIT } from '../errors.js';
import { parseTimeout, safeJson, withDeadline } from '../io.js';
import { addFormatOption, formatOf, type FormatFlags } from '../flags.js';
import { escapeLines } from '../../text/escape.js';
import { OciError } from '../../kernel/oci/errors.js';
import { SignError, signImage, type SignResult } from '../../kernel/sign/index.js';
import { CA_FILE_HELP, readCaFile } from './verify.js';

interface SignFlags extends FormatFlags {
  pds: string;
  identifier: string;
  passwordEnv: string;
  insecureRegistry: string[];
  allowPrivateNetwork?: boolean;
  timeout: string;
  requestTimeout: string;
  recordRepository?: string;
  registryUsername?: string;
  registryPasswordEnv?: string;
  caFile?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function exitCodeOf(e: SignError) {
  switch (e.code) {
    case 'reference-invalid':
    case 'login-failed':
    case 'registry-auth-failed':
      return EXIT.usage;
    case 'registry-error':
      // A missing image is the caller's mistake; anything else the registry's.
      return e.cause instanceof OciError && e.cause.code === 'not-found' ? EXIT.usage : EXIT.undecided;
    case 'pds-error':
    case 'pds-unavailable':
    case 'registry-unavailable':
      return EXIT.undecided;
  }
}

function renderText(r: SignResult): string {
  // The handle and record come from the PDS: nothing raw reaches the terminal.
  return escapeLines([
    `✓ signed ${r.image}@${r.digest} as ${r.handle || r.did} (${r.did})`,
    `  record:   ${r.recordUri} (cid ${r.recordCid})`,
    `  artifact: ${r.artifactDigest} (found through the ${r.discovery === 'referrers-api' ? 'referrers API' : 'fallback tag index'})`,
    '',
  ].join('\n'));
}

function duration(flag: string, text: string): number {
  const ms = parseTimeout(text);
  if (ms === null) throw new CliError(`${flag} "${text}" is not a duration such as 30s, 500ms or 2m`, EXIT.usage);
  return ms;
}

export function registerSign(program: Command): void {
  const cmd = program
    .command('sign')
    .description('Sign an image: write an io.atcr.manifest record to your PDS and push the signature artifact to the registry.')
    .argument('<image>', 'image reference, e.g. registry.example.com/alice/app:1.0')
    .requiredOption('--pds <url>', 'your PDS, e.g. https://pds.example.com')
    .requiredOption('--identifier <handle-or-did>', 'your handle or DID')
    .option('--password-env <var>', 'environment variable holding an app password', 'ATCR_PDS_PASSWORD')
    .option('--insecure-registry <host>', 'allow plain http for this registry host (repeatable)', collect, [])
    .option('--allow-private-network', 'let registry-provided URLs (token realm, redirects) reach private addresses')
    .option('--timeout <duration>', 'overall deadline, e.g. 2m or 30s', '2m')
    .option('--request-timeout <duration>', 'limit of each request to the PDS or registry', '30s');
  addFormatOption(cmd, { primary: 'output', choices: ['text', 'json'], help: 'text or json' })
    .option('--record-repository <name>', "the record's repository (default: the image's repository, without the owner segment on atcr.io)")
    .option('--registry-username <user>', 'registry user name (default: the Docker config file)')
    .option('--registry-password-env <var>', 'environment variable holding the registry password')
    .option('--ca-file <file>', CA_FILE_HELP)
    .addHelpText(
      'after',
      '\nExample:\n  ATCR_PDS_PASSWORD=xxxx-xxxx-xxxx-xxxx atcr-verify sign ghcr.io/alice/app:1.0 \\\n    --pds https://pds.example.com --identifier alice.example.com\n',
    )
    .action(async (image: string, flags: SignFlags) => {
      const deadlineMs = duration('--timeout', flags.timeout);
      // No single request outlives the whole command.
      const timeoutMs = Math.min(duration('--request-timeout', flags.requestTimeout), deadlineMs);
      const format = formatOf(flags);
      const password = process.env[flags.passwordEnv];
      if (!password) throw new CliError(`the environment variable ${flags.passwordEnv} (--password-env) holds no app password`, EXIT.usage);
      let credentials: { username: string; password: string } | undefined;
      if (flags.registryUsername !== undefined) {
        const envName = flags.registryPasswordEnv ?? 'ATCR_REGISTRY_PASSWORD';
        const registryPassword = process.env[envName];
        if (!registryPassword) throw new CliError(`--registry-username needs a password in the environment variable ${envName} (--registry-password-env)`, EXIT.usage);
        credentials = { username: flags.registryUsername, password: registryPassword };
      }
      try {
        new URL(flags.pds);
      } catch {
        throw new CliError(`--pds "${flags.pds}" is not a URL`, EXIT.usage);
      }
      const ca = flags.caFile !== undefined ? readCaFile(flags.caFile, timeoutMs) : undefined;
      let result: SignResult;
      try {
        result = await withDeadline(deadlineMs, flags.timeout, (signal) => signImage({
          image,
          signal,
          pds: flags.pds,
          identifier: flags.identifier,
          password,
          recordRepository: flags.recordRepository,
          timeoutMs,
          ...(ca !== undefined ? { ca } : {}),
          registry: {
            insecureRegistries: flags.insecureRegistry,
            allowPrivateNetwork: Boolean(flags.allowPrivateNetwork),
            ...(credentials ? { credentials } : {}),
          },
        }));
      } catch (e) {
        if (e instanceof SignError) throw new CliError(e.message, exitCodeOf(e));
        throw e;
      }
      process.stdout.write(format === 'json' ? safeJson(result) + '\n' : renderText(result));
    });
}
