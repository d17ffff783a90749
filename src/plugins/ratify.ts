// Ratify v1's external verifier contract (ratify v1.4, pkg/verifier/plugin): Ratify runs
// the binary named by the verifier's `type` with RATIFY_VERIFIER_COMMAND=VERIFY,
// RATIFY_VERIFIER_SUBJECT=<image@digest> and RATIFY_VERIFIER_VERSION, and on standard
// input {config, storeConfig, referenceDesc}: one referrer of the subject whose
// artifactType the verifier is configured for. We check that one signature artifact and
// answer ONE line of JSON. Ratify decodes every output line containing "{" (stderr too)
// into its result, and keeps only isSuccess, message, name, type and extensions of it, so
// the details go into `message` and `extensions`, and nothing else is ever printed.

import { toolVersion } from '../cli/io.js';
import { EXIT } from '../cli/errors.js';
import type { Decision, SignatureFact } from '../ir/decision.js';
import { DiscoveryError } from '../kernel/verify.js';
import { parseImageRef } from '../ref/reference.js';
import { ConfigError, settingsFrom, type PluginSettings } from './config.js';
import { decide, prepare, verifyArtifact } from './kernel.js';
import { clip, oneLine, readLimited } from './text.js';

export const SUPPORTED_VERSIONS = ['1.0.0'];
export const SIGNATURE_ARTIFACT_TYPE = 'application/vnd.atproto.signature.v1+json';
/** The verifier config, store config and one descriptor: small. */
const MAX_INPUT_BYTES = 1024 * 1024;
/** Ratify scans output with bufio.Scanner, whose lines stop at 64 KiB. */
const MAX_LINE_BYTES = 60 * 1024;
const MAX_MESSAGE_BYTES = 8 * 1024;
/** Keys of a verifier entry that are Ratify's own, not ours. */
const RATIFY_KEYS = ['name', 'type', 'artifactTypes', 'source', 'version'];

/** Ratify's plugin error codes (pkg/common/plugin/types.go). */
const CODE = { configParse: 1, invalidConfig: 2, unknownCommand: 3, missingEnv: 4, io: 5, version: 6, args: 7, failure: 8, internal: 999 } as const;

class PluginError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

interface Input {
  config: Record<string, unknown>;
  storeConfig: { store?: { name?: unknown; useHttp?: unknown } };
  referenceDesc: { mediaType: string; digest: string; size: number; artifactType?: string };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseInput(bytes: Buffer): Input {
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new PluginError(CODE.configParse, `standard input ${bytes.length === 0 ? 'is empty' : `is not JSON (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`}`);
  }
  if (!isObject(v)) throw new PluginError(CODE.configParse, 'standard input is not a JSON object with config, storeConfig and referenceDesc');
  if (!isObject(v.config)) throw new PluginError(CODE.invalidConfig, 'standard input has no "config" object (the verifier config)');
  if (v.storeConfig !== undefined && !isObject(v.storeConfig)) throw new PluginError(CODE.invalidConfig, '"storeConfig" is not an object');
  const d = v.referenceDesc;
  if (!isObject(d)) throw new PluginError(CODE.invalidConfig, 'standard input has no "referenceDesc" object (the artifact to verify)');
  if (typeof d.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(d.digest)) throw new PluginError(CODE.invalidConfig, 'referenceDesc has no valid sha256 digest');
  if (typeof d.mediaType !== 'string' || d.mediaType === '') throw new PluginError(CODE.invalidConfig, 'referenceDesc has no mediaType');
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) throw new PluginError(CODE.invalidConfig, 'referenceDesc has no valid size');
  if (d.artifactType !== undefined && typeof d.artifactType !== 'string') throw new PluginError(CODE.invalidConfig, 'referenceDesc.artifactType is not a string');
  return { config: v.config, storeConfig: (v.storeConfig ?? {}) as Input['storeConfig'], referenceDesc: d as Input['referenceDesc'] };
}

function environment(env: NodeJS.ProcessEnv): { subject: string } {
  const command = env.RATIFY_VERIFIER_COMMAND;
  if (command === undefined) throw new PluginError(CODE.missingEnv, 'RATIFY_VERIFIER_COMMAND is not set (Ratify sets it to VERIFY)');
  if (command !== 'VERIFY') throw new PluginError(CODE.unknownCommand, `RATIFY_VERIFIER_COMMAND ${JSON.stringify(command)} is not VERIFY`);
  const version = env.RATIFY_VERIFIER_VERSION;
  if (version === undefined) throw new PluginError(CODE.missingEnv, 'RATIFY_VERIFIER_VERSION is not set');
  if (!SUPPORTED_VERSIONS.includes(version)) {
    throw new PluginError(CODE.version, `RATIFY_VERIFIER_VERSION ${JSON.stringify(version)} is not supported (supported: ${SUPPORTED_VERSIONS.join(', ')})`);
  }
  const subject = env.RATIFY_VERIFIER_SUBJECT;
  if (!subject) throw new PluginError(CODE.missingEnv, 'RATIFY_VERIFIER_SUBJECT is not set');
  return { subject };
}

function settingsOf(input: Input, subject: string): PluginSettings {
  let settings: PluginSettings;
  try {
    settings = settingsFrom(input.config, `verifier config ${JSON.stringify(String(input.config.name ?? ''))}`, { extra: ['trustedDIDs'], ignored: RATIFY_KEYS });
  } catch (err) {
    if (err instanceof ConfigError) throw new PluginError(CODE.invalidConfig, err.message);
    throw err;
  }
  if (settings.server) {
    throw new PluginError(
      CODE.invalidConfig,
      `${settings.source}: server is not used by the Ratify verifier (Ratify hands over one signature artifact at a time; the server decides about whole images: use its Gatekeeper provider instead)`,
    );
  }
  if (!settings.trustedDIDs && !settings.policy) throw new PluginError(CODE.invalidConfig, `${settings.source}: set trustedDIDs (a list of DIDs) or policy (a trust policy file)`);
  // The ORAS store's useHttp: the registry is spoken to over plain http.
  const ref = parseImageRef(subject);
  if (input.storeConfig.store?.useHttp === true && ref && !settings.insecureRegistries.includes(ref.registry)) {
    settings.insecureRegistries = [...settings.insecureRegistries, ref.registry];
  }
  return settings;
}

interface Result {
  isSuccess: boolean;
  message: string;
  name: string;
  type: string;
  extensions: Record<string, unknown>;
}

function who(f: SignatureFact): string {
  return f.handle ? `${f.did} (${f.handle})` : f.did || '(unknown signer)';
}

async function verify(subject: string, input: Input): Promise<Result> {
  const settings = settingsOf(input, subject);
  const name = typeof input.config.name === 'string' ? input.config.name : 'atcr';
  const type = typeof input.config.type === 'string' ? input.config.type : name;
  const artifact = input.referenceDesc;
  const base = { name, type };
  const ext: Record<string, unknown> = { verifier: `atcr-verify ${toolVersion()}`, subject, artifact: artifact.digest };
  if (artifact.artifactType !== undefined && artifact.artifactType !== SIGNATURE_ARTIFACT_TYPE) {
    return { ...base, isSuccess: false, message: `artifact ${artifact.digest} is of type ${artifact.artifactType}, not an ATProto signature (${SIGNATURE_ARTIFACT_TYPE})`, extensions: ext };
  }
  let prepared;
  try {
    prepared = await prepare(settings);
  } catch (err) {
    if (err instanceof ConfigError) throw new PluginError(CODE.invalidConfig, err.message);
    throw err;
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), settings.timeoutMs);
  let checked;
  try {
    checked = await Promise.race([
      verifyArtifact(prepared, subject, { ...artifact, mediaType: artifact.mediaType }, controller.signal),
      new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(new DiscoveryError('unavailable', `no answer within the configured timeout ${settings.timeoutMs / 1000}s`)))),
    ]);
  } catch (err) {
    if (err instanceof DiscoveryError) {
      return { ...base, isSuccess: false, message: `could not verify ${artifact.digest} of ${subject}: ${err.message}`, extensions: { ...ext, error: { kind: err.kind, message: err.message } } };
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
  const fact = checked.fact;
  ext.signature = fact;
  ext.subjectDigest = checked.digest;
  if (!fact.valid) {
    const why = `${fact.error?.code ?? 'invalid'}: ${fact.error?.message ?? ''}`;
    ext.decision = { allowed: false, reason: checked.unavailable ? 'unavailable' : 'invalid-signature' };
    return { ...base, isSuccess: false, message: `signature ${artifact.digest} by ${who(fact)} is not valid (${why})${checked.unavailable ? '; a service could not be reached' : ''}`, extensions: ext };
  }
  const reasons: string[] = [];
  let allowed = true;
  if (settings.trustedDIDs) {
    const trusted = settings.trustedDIDs.includes(fact.did);
    if (!trusted) reasons.push(`${fact.did} is not in trustedDIDs`);
    allowed &&= trusted;
  }
  let decision: Decision | null = null;
  if (prepared.ir) {
    decision = decide(prepared.ir, subject, checked.owner, [fact]);
    reasons.push(`policy ${decision.policy ?? '(none matched)'}: ${decision.effect}${decision.allowed ? '' : ` (denied: ${decision.violations.map((v) => `${v.code}: ${v.message}`).join('; ')})`}`);
    allowed &&= decision.allowed;
  }
  ext.decision = { allowed, trustedDIDs: settings.trustedDIDs ?? null, policy: decision };
  const head = allowed ? `signature ${artifact.digest} by ${who(fact)} is valid and trusted` : `signature ${artifact.digest} by ${who(fact)} is valid but not trusted`;
  return { ...base, isSuccess: allowed, message: reasons.length > 0 ? `${head}: ${reasons.join('; ')}` : head, extensions: ext };
}

/** One line of JSON that survives Ratify's line scanner whatever the network sent. */
export function resultLine(result: Result): string {
  const safe = { ...result, message: clip(oneLine(result.message), MAX_MESSAGE_BYTES) };
  let line = JSON.stringify(safe);
  if (Buffer.byteLength(line) > MAX_LINE_BYTES) {
    // Extensions too large for one scanner line: keep the verdict and say what was dropped.
    const { subject, artifact } = result.extensions;
    line = JSON.stringify({ ...safe, extensions: { subject, artifact, truncated: `the extensions exceeded ${MAX_LINE_BYTES} bytes` } });
  }
  return escapeForLine(line) + '\n';
}

/** JSON.stringify leaves U+2028/2029 and C1 controls raw; a line scanner must not meet them. */
function escapeForLine(json: string): string {
  // eslint-disable-next-line no-control-regex
  return json.replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function errorLine(err: PluginError): string {
  return escapeForLine(JSON.stringify({ code: err.code, msg: clip(oneLine(err.message), MAX_MESSAGE_BYTES) })) + '\n';
}

/** Runs the contract; resolves to the exit code after writing the one line. */
export async function ratifyVerifier(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  // Node's own warnings go to standard error, where Ratify would parse them.
  process.removeAllListeners('warning');
  process.on('warning', () => {});
  let line: string;
  let code: number = EXIT.ok;
  try {
    if (args.length > 0) throw new PluginError(CODE.args, `unexpected arguments ${JSON.stringify(args.slice(0, 4))}: Ratify passes everything through the environment and standard input`);
    const { subject } = environment(env);
    let bytes: Buffer;
    try {
      bytes = await readLimited(process.stdin, MAX_INPUT_BYTES, 'standard input');
    } catch (err) {
      throw new PluginError(CODE.io, err instanceof Error ? err.message : String(err));
    }
    const input = parseInput(bytes);
    try {
      line = resultLine(await verify(subject, input));
    } catch (err) {
      // A wrong verifier config is this verification's failure, told where Ratify shows
      // results (message), not only in its errorReason.
      if (!(err instanceof PluginError) || err.code !== CODE.invalidConfig) throw err;
      const name = typeof input.config.name === 'string' ? input.config.name : 'atcr';
      const type = typeof input.config.type === 'string' ? input.config.type : name;
      line = resultLine({ isSuccess: false, name, type, message: `configuration error: ${err.message}`, extensions: { subject, artifact: input.referenceDesc.digest, error: { code: err.code, message: err.message } } });
    }
  } catch (err) {
    const e = err instanceof PluginError ? err : new PluginError(CODE.internal, `internal error: ${err instanceof Error ? err.message : String(err)}`);
    line = errorLine(e);
    code = 1;
  }
  await new Promise<void>((resolve) => process.stdout.write(line, () => resolve()));
  return code;
}
