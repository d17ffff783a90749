// containerd 2.x's bindir image verifier contract (pkg/imageverifier/bindir):
//   atcr-verify -name REF -digest DIGEST -stdin-media-type application/vnd.oci.descriptor.v1+json
// with the resolved top-level descriptor (a manifest or an index) on standard input. Exit
// 0 allows the pull, anything else blocks it; standard output is the reason containerd
// puts in its error (it keeps 32 KiB). containerd passes no credentials or registry
// settings, so everything else comes from our own configuration file (config.ts).
// Every way this can go wrong ends in a refusal with one line saying why.

import { CliError, EXIT } from '../cli/errors.js';
import { withDeadline } from '../cli/deadline.js';
import { ConfigError, configFilePath, loadConfigFile, type PluginSettings } from './config.js';
import type { Outcome } from './outcome.js';
import { outcomeReason, verdictOf } from './reason.js';
import { clip, oneLine, readLimited } from './text.js';

export const DESCRIPTOR_MEDIA_TYPE = 'application/vnd.oci.descriptor.v1+json';
/** containerd keeps this much of the reason. */
export const MAX_REASON_BYTES = 32 * 1024;
/** A descriptor is a few hundred bytes; annotations could make it more, not this much. */
export const MAX_DESCRIPTOR_BYTES = 64 * 1024;

const DIGEST = /^(sha256:[0-9a-f]{64}|sha384:[0-9a-f]{96}|sha512:[0-9a-f]{128})$/;

class Refusal extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

interface Args {
  name: string;
  digest: string;
  mediaType: string;
}

/** Go's flag syntax, as containerd uses it: `-flag value`, `--flag value` or `-flag=value`. */
export function parseArgs(args: readonly string[]): Args {
  const values: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const m = /^--?([a-z-]+)(?:=([\s\S]*))?$/.exec(arg);
    if (!m) throw new Refusal(`unexpected argument ${JSON.stringify(arg)} (expected -name REF -digest DIGEST -stdin-media-type TYPE)`, EXIT.usage);
    const flag = m[1]!;
    if (flag !== 'name' && flag !== 'digest' && flag !== 'stdin-media-type') {
      throw new Refusal(`unknown flag -${flag} (expected -name REF -digest DIGEST -stdin-media-type TYPE)`, EXIT.usage);
    }
    let value = m[2];
    if (value === undefined) {
      value = args[++i];
      if (value === undefined) throw new Refusal(`flag -${flag} needs a value`, EXIT.usage);
    }
    values[flag] = value;
  }
  for (const flag of ['name', 'digest', 'stdin-media-type']) {
    if (!values[flag]) throw new Refusal(`missing -${flag} (containerd runs verifiers as: -name REF -digest DIGEST -stdin-media-type ${DESCRIPTOR_MEDIA_TYPE})`, EXIT.usage);
  }
  if (!DIGEST.test(values.digest!)) throw new Refusal(`-digest ${JSON.stringify(values.digest)} is not a digest such as sha256:<64 hex>`, EXIT.usage);
  if (values['stdin-media-type'] !== DESCRIPTOR_MEDIA_TYPE) {
    throw new Refusal(`-stdin-media-type ${JSON.stringify(values['stdin-media-type'])} is not ${DESCRIPTOR_MEDIA_TYPE}`, EXIT.usage);
  }
  return { name: values.name!, digest: values.digest!, mediaType: values['stdin-media-type']! };
}

/** The descriptor on standard input: an OCI descriptor of the object named by -digest. */
export function parseDescriptor(bytes: Buffer, digest: string): { mediaType: string; digest: string; size: number } {
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    const why = bytes.length === 0 ? 'is empty' : `is not JSON (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`;
    throw new Refusal(`the descriptor on standard input ${why}`, EXIT.usage);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Refusal('the descriptor on standard input is not a JSON object', EXIT.usage);
  const d = v as Record<string, unknown>;
  if (typeof d.mediaType !== 'string' || d.mediaType === '') throw new Refusal('the descriptor on standard input has no mediaType', EXIT.usage);
  if (typeof d.digest !== 'string' || !DIGEST.test(d.digest)) throw new Refusal('the descriptor on standard input has no valid digest', EXIT.usage);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) throw new Refusal('the descriptor on standard input has no valid size', EXIT.usage);
  if (d.digest !== digest) throw new Refusal(`the descriptor on standard input is for ${d.digest}, not -digest ${digest}`, EXIT.usage);
  return { mediaType: d.mediaType, digest: d.digest, size: d.size };
}

/**
 * What is verified: the reference as containerd was asked for it, pinned to the digest it
 * resolved, so that the signatures checked are those of the very bytes it will pull. For
 * an index that is the index itself (docs/containerd.md "Multi-platform images").
 */
export function pinnedReference(name: string, digest: string): string {
  const at = name.indexOf('@');
  if (at < 0) return `${name}@${digest}`;
  if (name.slice(at + 1) !== digest) throw new Refusal(`-name ${JSON.stringify(name)} names another digest than -digest ${digest}`, EXIT.usage);
  return name;
}

async function loadSettings(): Promise<PluginSettings> {
  try {
    return await loadConfigFile(configFilePath());
  } catch (err) {
    if (err instanceof ConfigError) throw new Refusal(err.message, EXIT.usage);
    throw err;
  }
}

/** Arguments and configuration first, then, under the configured deadline, the rest. */
async function decide(args: readonly string[]): Promise<{ code: number; reason: string }> {
  const parsed = parseArgs(args);
  const image = pinnedReference(parsed.name, parsed.digest);
  const settings = await loadSettings();
  const timeout = `${settings.timeoutMs / 1000}s`;
  try {
    return await withDeadline(settings.timeoutMs, timeout, async (signal) => {
      let stdin: Buffer;
      try {
        stdin = await readLimited(process.stdin, MAX_DESCRIPTOR_BYTES, 'the descriptor on standard input');
      } catch (err) {
        throw new Refusal(err instanceof Error ? err.message : String(err), EXIT.usage);
      }
      parseDescriptor(stdin, parsed.digest);
      let outcome: Outcome;
      try {
        if (settings.server) {
          // Only an HTTP client: the server holds the kernel, its caches and the policy.
          outcome = await (await import('./server-client.js')).askServer(settings, image, signal);
        } else {
          // The kernel only now: a refusal for bad input or configuration needs none of it.
          const { prepare, verifyAndDecide } = await import('./kernel.js');
          outcome = await verifyAndDecide(await prepare(settings), image, signal);
        }
      } catch (err) {
        if (err instanceof ConfigError) throw new Refusal(err.message, EXIT.usage);
        throw err;
      }
      const verdict = verdictOf(outcome);
      return { code: verdict === 'allow' ? EXIT.ok : verdict === 'deny' ? EXIT.negative : EXIT.undecided, reason: outcomeReason(outcome) };
    });
  } catch (err) {
    if (err instanceof CliError) throw new Refusal(`could not decide about ${image} within the configured timeout ${timeout}`, EXIT.undecided);
    throw err;
  }
}

/** Runs the contract; resolves to the exit code after writing the reason. */
export async function containerdVerifier(args: readonly string[]): Promise<number> {
  let result: { code: number; reason: string };
  try {
    result = await decide(args);
  } catch (err) {
    if (err instanceof Refusal) result = { code: err.exitCode, reason: `refusing the pull: ${err.message}` };
    else result = { code: EXIT.undecided, reason: `internal error, refusing the pull: ${err instanceof Error ? err.message : String(err)}` };
  }
  await write(`atcr-verify: ${clip(oneLine(result.reason), MAX_REASON_BYTES - 16)}\n`);
  return result.code;
}

function write(text: string): Promise<void> {
  return new Promise((resolve) => process.stdout.write(text, () => resolve()));
}
