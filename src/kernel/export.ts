// `export`: verify online while keeping every byte read, then write those bytes as an
// offline bundle. Exporting through the verifier guarantees the bundle holds exactly
// what verification reads, no more and no less. It fails closed: a bundle that lacks
// something verification read, or that verifies offline otherwise than online, is never
// returned.

import { BUNDLE_VERSION, type Bundle, parseBundle, serializeBundle } from './bundle/format.js';
import { DiscoveryError, type Recording, type VerifyOptions, type VerifyReport, verifyImage } from './verify.js';

export interface ExportResult {
  bundle: Bundle;
  /** The bundle as written (serializeBundle), already checked offline. */
  text: string;
  report: VerifyReport;
}

/** What the recording lacks for an offline verification like the online one, one sentence each. */
function missingEvidence(recording: Recording, report: VerifyReport): string[] {
  const missing: string[] = [];
  if (recording.ownerMissing) missing.push(recording.ownerMissing);
  const errors = new Map(report.timings.signatures.map((t, i) => [t.artifact, report.signatures[i]!.error?.message]));
  for (const s of recording.signatures.values()) {
    // Step 4 read the document; the log it is re-derived from offline did not come.
    if (s.did?.startsWith('did:plc:') && s.didDocument && !s.plcAuditLog) {
      const why = errors.get(s.artifactDigest);
      missing.push(`the PLC audit log of ${s.did}${why ? ` (${why})` : ' could not be read'}`);
    }
  }
  return missing;
}

/** Artifacts whose signature is valid, by digest. */
function validArtifacts(report: VerifyReport): Set<string> {
  return new Set(report.timings.signatures.filter((_, i) => report.signatures[i]!.valid).map((t) => t.artifact));
}

/** How the bundle would verify otherwise offline, one sentence each; none when it gives the same answer. */
function divergence(online: VerifyReport, offline: VerifyReport): string[] {
  const found: string[] = [];
  const on = validArtifacts(online);
  const off = validArtifacts(offline);
  for (const [i, t] of online.timings.signatures.entries()) {
    if (on.has(t.artifact) === off.has(t.artifact)) continue;
    const fact = offline.signatures.find((_, j) => offline.timings.signatures[j]!.artifact === t.artifact);
    const why = fact?.error ? `${fact.error.code}: ${fact.error.message}` : 'valid';
    found.push(`the signature of ${online.signatures[i]!.did || t.artifact} would be ${on.has(t.artifact) ? 'invalid' : 'valid'} offline (${why})`);
  }
  if (online.owner !== offline.owner) {
    const why = offline.notes.find((n) => n.startsWith('owner '));
    found.push(`the owner would be ${offline.owner || '""'} offline, not ${online.owner || '""'}${why ? ` (${why})` : ''}`);
  }
  return found;
}

export async function exportBundle(
  opts: Omit<VerifyOptions, 'bundle' | 'recording'>,
  now = new Date(),
): Promise<ExportResult> {
  const recording: Recording = { signatures: new Map() };
  const report = await verifyImage({ ...opts, recording });
  // A bundle missing what an outage hid would verify differently offline: refuse it.
  const missing = missingEvidence(recording, report);
  if (missing.length > 0) throw new DiscoveryError('unavailable', `no bundle written: missing ${missing.join('; ')}`);
  if (report.unavailable || !recording.image) {
    const failed = report.signatures.filter((s) => !s.valid).map((s) => `${s.did || 'a signature'}: ${s.error?.message ?? 'failed'}`);
    const detail = failed.length > 0 ? ` (${failed.slice(0, 3).join('; ')}${failed.length > 3 ? '; …' : ''})` : '';
    throw new DiscoveryError('unavailable', `no bundle written: a service needed for a signature could not be reached${detail}`);
  }
  const bundle: Bundle = {
    version: BUNDLE_VERSION,
    createdAt: now.toISOString(),
    image: { reference: opts.image, ...recording.image },
    ...(recording.owner ? { owner: recording.owner } : {}),
    signatures: [...recording.signatures.values()].sort((a, b) => (a.artifactDigest < b.artifactDigest ? -1 : 1)),
  };
  // The bundle as a reader will see it must give the online answer, or it is not written.
  const text = serializeBundle(bundle);
  const offline = await verifyImage({ image: opts.image, bundle: parseBundle(new TextEncoder().encode(text)), ownerRegistries: opts.ownerRegistries });
  const differs = divergence(report, offline);
  if (differs.length > 0) throw new DiscoveryError('invalid', `no bundle written: ${differs.slice(0, 3).join('; ')}${differs.length > 3 ? '; …' : ''}`);
  return { bundle, text, report };
}
