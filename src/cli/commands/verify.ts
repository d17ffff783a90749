// `atcr-verify verify IMAGE`: the kernel's facts for an image, decided by a policy when
// one is given (cli.md). Exit 0 verified/allowed, 1 denied or no valid signature, 2
// usage/bad bundle/bad policy, 3 could not decide (a service unreachable): fail closed.

import type { Command } from 'commander';
import type { Decision, SignatureFact } from '../../ir/decision.js';
import type { IRDocument } from '../../ir/types.js';
import { BundleError, DEFAULT_PLC_URL, DiscoveryError, parseBundle, Verifier, type Bundle, type Trace, type TraceEvent, type VerifyReport } from '../../kernel/index.js';
import { MAX_BUNDLE_BYTES } from '../../kernel/bundle/format.js';
import { failureJson, outcomeJson, verifyAndDecide, type Outcome } from '../../verification/decide.js';
import { readCaFile as readCaSettings, SettingsError, settingsFromFlags, type NetworkFlags, type ParsedSettings } from '../../verification/settings.js';
import { CliError, EXIT, type ExitCode } from '../errors.js';
import { MAX_REQUEST_MS, out, readFileOrFail, safeJson, safeText, withDeadline } from '../io.js';
import { escapeLines } from '../../text/escape.js';
import { loadPolicyOrFail } from '../policy-file.js';
import { parseInstant } from '../../ir/time.js';
import { MANIFEST_FORMATS, runManifests, type ManifestFormat } from './verify-manifests.js';
import { addFormatOption, formatOf, type FormatFlags } from '../flags.js';

export type { NetworkFlags } from '../../verification/settings.js';

interface VerifyFlags extends NetworkFlags, FormatFlags {
  policy?: string;
  quiet?: boolean;
  verbose?: boolean;
  offline?: boolean;
  bundle?: string;
  now?: string;
  manifests?: string;
}

export const CA_FILE_HELP = 'extra trusted CA certificates (PEM) for every HTTPS request, added to the system ones';

/** A settings error as the CLI reports it: a usage error. */
function usage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SettingsError) throw new CliError(err.message, EXIT.usage);
    throw err;
  }
}

/** The certificates of --ca-file, or a usage error saying why the file is unusable; `timeoutMs` bounds a pipe. */
export function readCaFile(file: string, timeoutMs?: number): string {
  return usage(() => readCaSettings(file, '--ca-file', timeoutMs));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The flags verify, export and serve share: where to look and how far to trust the network. */
export function addNetworkOptions(cmd: Command, timeoutHelp = 'overall deadline, e.g. 30s or 2m', timeoutDefault = '30s'): Command {
  return cmd
    .option('--plc-url <url>', `PLC directory for did:plc (default ${DEFAULT_PLC_URL}, or ATCR_PLC_URL)`)
    .option('--insecure-registry <host>', 'allow plain http for this registry host (repeatable)', collect, [])
    .option('--allow-private-network', 'let URLs from DID documents and payloads reach loopback/private addresses')
    .option('--timeout <duration>', timeoutHelp, timeoutDefault)
    .option('--request-timeout <duration>', `limit of each request (default the smaller of --timeout and ${MAX_REQUEST_MS / 1000}s)`)
    .option('--ca-file <file>', CA_FILE_HELP);
}

/**
 * Verifier settings from the shared flags and the environment (ATCR_PLC_URL,
 * ATCR_OWNER_REGISTRIES, ATCR_DNS_SERVERS), usage errors as CliErrors.
 */
export function verifierSettings(flags: NetworkFlags): ParsedSettings {
  return usage(() => settingsFromFlags(flags));
}

/** Exit code and message for a discovery failure. */
export function discoveryFailure(err: DiscoveryError): CliError {
  const code: ExitCode = err.kind === 'usage' ? EXIT.usage : err.kind === 'unavailable' ? EXIT.undecided : EXIT.negative;
  return new CliError(safeText(err.message), code);
}

/** The bundle's bytes, bounded in size and, for a pipe, in time (issue: /dev/zero, FIFOs). */
async function readBundle(file: string, timeoutMs: number): Promise<Bundle> {
  const bytes = await readFileOrFail(file, { what: 'bundle', maxBytes: MAX_BUNDLE_BYTES, signal: AbortSignal.timeout(timeoutMs) });
  try {
    return parseBundle(bytes);
  } catch (err) {
    if (err instanceof BundleError) throw new CliError(`${file}: ${safeText(err.message)}`, EXIT.usage);
    throw err;
  }
}

function signatureLine(s: SignatureFact): string {
  if (s.valid) {
    const who = s.handle ? `${s.did} (${s.handle})` : s.did;
    return `✓ ${safeText(who)} signed ${safeText(s.signedAt ?? '')} via ${safeText(s.pds ?? '')} [${s.algorithm ?? ''}]`;
  }
  return `✗ ${safeText(s.did || '(unknown signer)')} ${s.error?.code ?? ''}: ${safeText(s.error?.message ?? '')}`;
}

export function renderText(report: VerifyReport, decision: Decision | null, verified: boolean): string {
  const lines = [`image   ${safeText(report.image)}`, `digest  ${report.digest}`];
  if (report.owner) lines.push(`owner   ${safeText(report.owner)}`);
  if (report.offline) lines.push('mode    offline (bundle)');
  if (report.signatures.length === 0) lines.push('✗ no ATProto signatures found');
  for (const s of report.signatures) lines.push(signatureLine(s));
  for (const n of report.notes) lines.push(`note: ${safeText(n)}`);
  const valid = report.signatures.filter((s) => s.valid).length;
  lines.push(`${valid} valid signature${valid === 1 ? '' : 's'} of ${report.signatures.length}`);
  if (decision) {
    lines.push(`policy  ${safeText(decision.policy ?? '(none matched)')}: ${decision.effect}${decision.allowed ? '' : ' (denied)'}`);
    for (const v of decision.violations) lines.push(`  - ${v.code}: ${safeText(v.message)}`);
  }
  lines.push(verified ? 'VERIFIED' : report.unavailable ? 'UNDECIDED (a service could not be reached)' : 'NOT VERIFIED');
  return escapeLines(lines.join('\n') + '\n');
}

/** One line per step as it ends, on standard error: what ran before a failure is already there. */
export function traceLine(e: TraceEvent): string {
  const where = e.stage === 'signature' ? `signature ${e.artifact?.slice(0, 19) ?? ''}… ${e.step} ${e.name}` : `${e.stage} ${e.name}`;
  const detail = e.detail ? `  ${safeText(e.detail)}` : '';
  return escapeLines(`${e.ok ? '✓' : '✗'} ${where.padEnd(48)} ${e.ms.toFixed(2).padStart(9)} ms${detail}\n`);
}

function verboseTrace(): Trace {
  return (e) => process.stderr.write(traceLine(e));
}

export function registerVerify(program: Command): void {
  const cmd = program
    .command('verify')
    .description('Verify the ATProto signatures of an image, and decide with a trust policy when one is given.')
    .argument('[image]', 'image reference, e.g. atcr.io/alice/app:1.0 or …@sha256:… (or use --manifests)')
    .option('--policy <file>', 'trust policy file: the decision decides')
    .option('--manifests <path>', 'verify every image of Kubernetes YAML: a file, a folder, or - for standard input');
  addFormatOption(cmd, { primary: 'output', help: 'text or json (with --manifests also sarif or github)' })
    .option('--quiet', 'print nothing; the exit code alone')
    .option('--verbose', 'print each step, as it ends, with its timing to standard error (also the steps before a failure)')
    .option('--offline', 'verify from an offline bundle only (needs --bundle)')
    .option('--bundle <file>', 'offline bundle written by `atcr-verify export`')
    .option('--now <rfc3339>', 'the time policies evaluate at (default: now)');
  addNetworkOptions(cmd)
    .addHelpText(
      'after',
      '\nExamples:\n  atcr-verify verify atcr.io/alice/app:1.0 --policy policy.yaml\n  helm template ./chart | atcr-verify verify --manifests - --policy policy.yaml --output github\n  atcr-verify atcr.io/alice/app:1.0 --offline --bundle bundle.json --output json\n',
    )
    .action(async (image: string | undefined, flags: VerifyFlags) => {
      const started = performance.now();
      const format = formatOf(flags);
      if (flags.manifests !== undefined) {
        if (image !== undefined) throw new CliError('give an image or --manifests, not both', EXIT.usage);
        if (flags.offline || flags.bundle) throw new CliError('--manifests verifies online; --offline/--bundle hold one image only', EXIT.usage);
        if (!(MANIFEST_FORMATS as readonly string[]).includes(format)) {
          throw new CliError(`--output must be ${MANIFEST_FORMATS.join(', ')} with --manifests, not "${format}"`, EXIT.usage);
        }
        if (flags.now !== undefined && !parseInstant(flags.now)) {
          throw new CliError(`--now "${flags.now}" is not an RFC 3339 time such as 2026-11-25T12:00:00Z`, EXIT.usage);
        }
        const { settings, deadlineMs } = verifierSettings(flags);
        const policy = flags.policy ? (await loadPolicyOrFail(flags.policy)).ir : null;
        process.exitCode = await runManifests({
          path: flags.manifests,
          format: format as ManifestFormat,
          quiet: Boolean(flags.quiet),
          policy,
          ...(flags.now !== undefined ? { now: flags.now } : {}),
          settings,
          deadlineMs,
          timeoutFlag: flags.timeout,
        });
        return;
      }
      if (image === undefined) throw new CliError('verify needs an image (or --manifests PATH)', EXIT.usage);
      if (format !== 'text' && format !== 'json') throw new CliError(`--output must be text or json, not "${format}"`, EXIT.usage);
      if (flags.offline && !flags.bundle) throw new CliError('--offline needs --bundle FILE', EXIT.usage);
      // The engines' own grammar: a time they cannot read would turn into a denial.
      if (flags.now !== undefined && !parseInstant(flags.now)) {
        throw new CliError(`--now "${flags.now}" is not an RFC 3339 time such as 2026-11-25T12:00:00Z`, EXIT.usage);
      }
      const { settings, deadlineMs } = verifierSettings(flags);
      // Inputs first: a bad policy or bundle is reported before any network traffic.
      let ir: IRDocument | null = null;
      if (flags.policy) ir = (await loadPolicyOrFail(flags.policy)).ir;
      const bundle = flags.bundle ? await readBundle(flags.bundle, deadlineMs) : undefined;
      const verifier = new Verifier(settings);

      let outcome: Outcome;
      try {
        outcome = await withDeadline(deadlineMs, flags.timeout, (signal) =>
          verifyAndDecide(verifier, image, {
            policy: ir,
            ...(flags.now !== undefined ? { now: flags.now } : {}),
            signal,
            ...(bundle ? { bundle } : {}),
            ...(flags.verbose ? { trace: verboseTrace() } : {}),
          }),
        );
      } catch (err) {
        if (flags.verbose) process.stderr.write(`✗ stopped after ${(performance.now() - started).toFixed(1)} ms\n`);
        if (!(err instanceof DiscoveryError)) throw err;
        const failure = discoveryFailure(err);
        // JSON consumers still get one object; the sentence goes to standard error.
        if (format === 'json' && !flags.quiet && err.kind !== 'usage') {
          await out(safeJson(failureJson(image, err, Boolean(bundle), performance.now() - started)) + '\n');
        }
        throw failure;
      }
      const { report, decision, verified } = outcome;
      if (flags.verbose) process.stderr.write(`total ${report.durationMs.toFixed(1)} ms\n`);
      if (!flags.quiet) {
        if (format === 'json') {
          await out(safeJson(outcomeJson(image, outcome, performance.now() - started)) + '\n');
        } else {
          await out(renderText(report, decision, verified));
        }
      }
      // Fail closed: a negative that an unreachable service might have turned is "undecided".
      process.exitCode = outcome.verdict === 'verified' ? EXIT.ok : outcome.verdict === 'undecided' ? EXIT.undecided : EXIT.negative;
    });
}
