// The CI gate before a deploy: every image of every object, each verified once, and the
// outcome reported per image and per object. Verification itself is injected, so this
// module knows nothing of the kernel or the network and the rules stay testable.

import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { imagesOf } from './images.js';
import type { ManifestObject } from './read.js';

/** What verifying one image came to, in the terms `verify` uses for its exit code. */
export interface ImageOutcome {
  /** allowed by the policy, or (without one) at least one valid signature. */
  verified: boolean;
  /** No definite answer: a service could not be reached, or the reference is unusable. */
  undecided: boolean;
  /** One sentence: the violations, or the error. */
  reason: string;
  /** The violation codes (with a policy) or the kernel's error codes, for rule ids. */
  codes: string[];
  /** Whatever `verify --output json` prints for the image. */
  detail: unknown;
}

export interface ObjectReport {
  source: string;
  kind: string;
  namespace: string;
  name: string;
  images: { image: string; path: string; verified: boolean; undecided: boolean; reason: string }[];
}

export interface ManifestReport {
  objects: ObjectReport[];
  images: Record<string, ImageOutcome>;
  /** Exit code as `verify`'s: 0 all verified, 1 a definite negative, 3 only undecided failures. */
  exitCode: 0 | 1 | 3;
}

/** Distinct images in first-seen order: each is verified once however many objects use it. */
export function distinctImages(objects: readonly ManifestObject[]): string[] {
  const seen = new Set<string>();
  for (const o of objects) for (const { image } of imagesOf(o.object)) seen.add(image);
  return [...seen];
}

export async function checkManifests(
  objects: readonly ManifestObject[],
  verify: (image: string) => Promise<ImageOutcome>,
  concurrency = 4,
): Promise<ManifestReport> {
  const images = distinctImages(objects);
  const outcomes = new Map<string, ImageOutcome>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < images.length) {
      const image = images[next++]!;
      outcomes.set(image, await verify(image));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, images.length) }, worker));

  const reports: ObjectReport[] = objects
    .map((o) => ({
      source: o.source,
      kind: o.kind,
      namespace: o.namespace,
      name: o.name,
      images: imagesOf(o.object).map(({ image, path }) => {
        const r = outcomes.get(image)!;
        return { image, path, verified: r.verified, undecided: r.undecided, reason: r.reason };
      }),
    }))
    .filter((o) => o.images.length > 0);

  const all = [...outcomes.values()];
  const exitCode = all.every((r) => r.verified) ? 0 : all.some((r) => !r.verified && !r.undecided) ? 1 : 3;
  return { objects: reports, images: Object.fromEntries(outcomes), exitCode };
}

/** `file:line` (possibly followed by a list-item note) → the file and line a finding points at. */
function location(source: string): { file: string; line: number } {
  const m = /^(.*):(\d+)(?: \(items\[\d+\]\))?$/.exec(source);
  return m ? { file: m[1]!, line: Number(m[2]) } : { file: source, line: 1 };
}

/** One finding per image an object runs that is not verified: lint's formats then serve sarif and github. */
export function manifestDiagnostics(report: ManifestReport): Diagnostic[] {
  const ds: Diagnostic[] = [];
  for (const o of report.objects) {
    const { file, line } = location(o.source);
    for (const i of o.images) {
      if (i.verified) continue;
      const outcome = report.images[i.image]!;
      const object = `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
      ds.push({
        file,
        line,
        column: 1,
        severity: 'error',
        rule: i.undecided ? 'image-undecided' : (outcome.codes[0] ?? 'image-not-verified'),
        message: `${object}: ${i.path} ${i.image}: ${i.reason}`,
      });
    }
  }
  return ds;
}
