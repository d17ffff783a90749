// `atcr-verify verify --manifests PATH|-`: the CI gate before a deploy. Reads Kubernetes
// YAML (files, folders, or `helm template` / `kustomize build` output on standard input),
// verifies every image once with one Verifier (shared DID and registry caches), decides
// with --policy, and reports per image and per object. Exit codes as `verify`.

import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { IRDocument } from '../../ir/types.js';
import { formatDiagnostics } from '../../diagnostics/format.js';
import { DiscoveryError, Verifier, type VerifierSettings } from '../../kernel/index.js';
import { checkManifests, manifestDiagnostics, type ImageOutcome, type ManifestReport } from '../../manifests/plan.js';
import { ManifestError, MAX_MANIFEST_BYTES, parseManifests, type ManifestObject } from '../../manifests/read.js';
import { failureJson, outcomeJson, verifyAndDecide } from '../../verification/decide.js';
import { CliError, EXIT } from '../errors.js';
import { inputText, out, readFileOrFailSync, readInputBytes, safeJson, safeText, toolVersion, withDeadline } from '../io.js';
import { DEFAULT_PIPE_WAIT_MS } from '../../fs/limits.js';

export const MANIFEST_FORMATS = ['text', 'json', 'sarif', 'github'] as const;
export type ManifestFormat = (typeof MANIFEST_FORMATS)[number];

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

function readFileText(file: string): string {
  // The one bounded reader: a FIFO cannot hang the open, a device stops at the cap.
  return readFileOrFailSync(file, { what: '--manifests', maxBytes: MAX_MANIFEST_BYTES, deadline: Date.now() + DEFAULT_PIPE_WAIT_MS }).toString('utf8');
}

/** Manifest files under a folder, sorted; links to folders are not followed (no loops). */
function manifestFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (MANIFEST_FILE.test(entry.name) && (entry.isFile() || (entry.isSymbolicLink() && !isDirLink(path)))) found.push(path);
    }
  };
  walk(dir);
  return found;
}

function isDirLink(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // dangling: readFileText reports it
  }
}

/** The objects of `-` (standard input), a file, or every manifest file under a folder. */
export async function readManifestObjects(path: string): Promise<ManifestObject[]> {
  try {
    // Standard input through the stream, at most MAX_MANIFEST_BYTES: a non-blocking pipe
    // (what `helm template | …` can hand over) is waited on, not polled.
    if (path === '-') return parseManifests(inputText(await readInputBytes('-', 'standard input', MAX_MANIFEST_BYTES)), '(stdin)');
    let isDir = false;
    try {
      isDir = lstatSync(path).isDirectory();
    } catch {
      // readFileText names the problem
    }
    if (!isDir) return parseManifests(readFileText(path), path);
    return manifestFiles(path).flatMap((f) => parseManifests(readFileText(f), f));
  } catch (err) {
    if (err instanceof ManifestError) throw new CliError(safeText(err.message), EXIT.usage);
    throw err;
  }
}

export interface ManifestRun {
  path: string;
  format: ManifestFormat;
  quiet: boolean;
  policy: IRDocument | null;
  now?: string;
  settings: VerifierSettings;
  deadlineMs: number;
  timeoutFlag: string;
}

function renderText(report: ManifestReport): string {
  const lines: string[] = [];
  for (const o of report.objects) {
    lines.push(`${safeText(o.source)}  ${safeText(o.kind)} ${safeText(o.namespace ? `${o.namespace}/` : '')}${safeText(o.name)}`);
    for (const i of o.images) {
      const mark = i.verified ? '✓' : i.undecided ? '?' : '✗';
      lines.push(`  ${mark} ${safeText(i.image)}${i.verified ? '' : `: ${safeText(i.reason)}`}`);
    }
  }
  const all = Object.values(report.images);
  const verified = all.filter((r) => r.verified).length;
  const undecided = all.filter((r) => !r.verified && r.undecided).length;
  lines.push(
    `${all.length} image${all.length === 1 ? '' : 's'} in ${report.objects.length} object${report.objects.length === 1 ? '' : 's'}: ` +
      `${verified} verified, ${all.length - verified - undecided} not verified, ${undecided} undecided`,
  );
  return lines.join('\n') + '\n';
}

export async function runManifests(run: ManifestRun): Promise<number> {
  const objects = await readManifestObjects(run.path);
  const verifier = new Verifier(run.settings);
  const verifyOne = async (image: string): Promise<ImageOutcome> => {
    const started = performance.now();
    try {
      // Each image has the whole --timeout: a large deploy is not cut short by its size.
      const outcome = await withDeadline(run.deadlineMs, run.timeoutFlag, (signal) =>
        verifyAndDecide(verifier, image, { policy: run.policy, ...(run.now !== undefined ? { now: run.now } : {}), signal }),
      );
      const codes = outcome.decision
        ? outcome.decision.violations.map((v) => v.code)
        : outcome.report.signatures.flatMap((s) => (s.error ? [s.error.code] : []));
      const reason = outcome.verified
        ? 'verified'
        : outcome.decision
          ? outcome.decision.violations.map((v) => `${v.code}: ${v.message}`).join('; ') || `denied by ${outcome.decision.policy ?? 'no matching policy'}`
          : outcome.report.signatures.length === 0
            ? 'no ATProto signatures found'
            : 'no valid signature';
      return {
        verified: outcome.verified,
        undecided: outcome.verdict === 'undecided',
        reason,
        codes: outcome.verified ? [] : codes.length > 0 ? codes : ['no-valid-signature'],
        detail: outcomeJson(image, outcome, performance.now() - started),
      };
    } catch (err) {
      if (err instanceof DiscoveryError) {
        return {
          verified: false,
          undecided: err.kind === 'unavailable',
          reason: err.message,
          codes: [err.kind === 'usage' ? 'invalid-image' : 'image-not-found'],
          detail: failureJson(image, err, false, performance.now() - started),
        };
      }
      if (err instanceof CliError && err.exitCode === EXIT.undecided) {
        return { verified: false, undecided: true, reason: err.message, codes: ['timeout'], detail: null };
      }
      throw err;
    }
  };
  const report = await checkManifests(objects, verifyOne);
  if (!run.quiet) {
    if (run.format === 'text') await out(renderText(report));
    else if (run.format === 'json') {
      await out(
        safeJson({
          objects: report.objects,
          images: Object.fromEntries(Object.entries(report.images).map(([k, v]) => [k, v.detail])),
          exitCode: report.exitCode,
        }) + '\n',
      );
    } else await out(formatDiagnostics(manifestDiagnostics(report), run.format, toolVersion()));
  }
  return report.exitCode === 0 ? EXIT.ok : report.exitCode === 1 ? EXIT.negative : EXIT.undecided;
}
