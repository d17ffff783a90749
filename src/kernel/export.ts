// `export`: verify online while keeping every byte read, then write those bytes as an
// offline bundle. Exporting through the verifier guarantees the bundle holds exactly
// what verification reads, no more and no less.

import { BUNDLE_VERSION, type Bundle } from './bundle/format.js';
import { DiscoveryError, type VerifyOptions, type VerifyReport, verifyImage } from './verify.js';
import type { Recording } from './verify/online.js';

export interface ExportResult {
  bundle: Bundle;
  report: VerifyReport;
}

export async function exportBundle(
  opts: Omit<VerifyOptions, 'bundle' | 'recording'>,
  now = new Date(),
): Promise<ExportResult> {
  const recording: Recording = { signatures: new Map() };
  const report = await verifyImage({ ...opts, recording });
  // A bundle missing what an outage hid would verify differently offline: refuse it.
  if (report.unavailable || !recording.image) {
    throw new DiscoveryError('unavailable', 'a service needed for a signature could not be reached; the bundle would be incomplete');
  }
  const bundle: Bundle = {
    version: BUNDLE_VERSION,
    createdAt: now.toISOString(),
    image: { reference: opts.image, ...recording.image },
    signatures: [...recording.signatures.values()].sort((a, b) => (a.artifactDigest < b.artifactDigest ? -1 : 1)),
  };
  return { bundle, report };
}
