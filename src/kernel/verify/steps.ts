// The nine checks of signature-format.md for one signature artifact, in the spec's
// order. Each step fetches through the source, then checks with no I/O; the first
// failure ends the signature as `valid: false` with that step's code.

import type { SignatureFact } from '../../ir/decision.js';
import type { DidDocument } from '../atproto/did-document.js';
import { checkArtifactManifest, type PayloadDescriptor } from '../proof/artifact.js';
import { VerifyError, type VerifyCode } from '../proof/errors.js';
import { type Payload, parsePayload } from '../proof/payload.js';
import { type ProvenRecord, proveRecord, verifyProofCommit } from '../proof/record-proof.js';
import type { Descriptor } from '../oci/media.js';
import type { EvidenceSource } from './source.js';
import type { Trace } from './trace.js';

export const STEP_NAMES = [
  'artifact',
  'payload',
  'subject',
  'did-document',
  'proof-fetch',
  'commit-signature',
  'record-proof',
  'record-digest',
  'repository',
] as const;

export interface StepTiming {
  step: number;
  name: (typeof STEP_NAMES)[number];
  ms: number;
  ok: boolean;
}

export interface SignatureOutcome {
  fact: SignatureFact;
  timings: StepTiming[];
  /** The failure was a service that could not be reached: the fact is unknown. */
  unavailable: boolean;
  /** Offline did:web: the signer's document was taken from the bundle unproven. */
  unprovenDocument: boolean;
}

export interface SignatureContext {
  imageDigest: string;
  /** The repository the record must name (step 9), owner segment already removed where configured. */
  expectedRepository: string;
  /** Told of each step as it ends (`verify --verbose`). */
  trace?: Trace;
}

/** What a step failure looks like when the source threw something other than a VerifyError. */
function asVerifyError(err: unknown, code: VerifyCode): VerifyError {
  if (err instanceof VerifyError) return err;
  const unavailable = (err as { unavailable?: boolean } | null)?.unavailable === true;
  return new VerifyError(code, err instanceof Error ? err.message : String(err), { cause: err, unavailable });
}

export async function verifyOneSignature(
  source: EvidenceSource,
  artifact: Descriptor,
  ctx: SignatureContext,
): Promise<SignatureOutcome> {
  const timings: StepTiming[] = [];
  // Until the payload names a signer, the artifact's annotation is the best label.
  let did = artifact.annotations?.['io.atcr.signature.did'] ?? '';
  let unprovenDocument = false;

  const run = async <T>(step: number, code: VerifyCode, fn: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    const name = STEP_NAMES[step - 1]!;
    try {
      const out = await fn();
      const ms = performance.now() - t0;
      timings.push({ step, name, ms, ok: true });
      ctx.trace?.({ stage: 'signature', artifact: artifact.digest, step, name, ms, ok: true });
      return out;
    } catch (err) {
      const ms = performance.now() - t0;
      timings.push({ step, name, ms, ok: false });
      const failure = asVerifyError(err, code);
      ctx.trace?.({ stage: 'signature', artifact: artifact.digest, step, name, ms, ok: false, detail: `${failure.code}: ${failure.message}` });
      throw failure;
    }
  };

  try {
    // 1. The artifact manifest is what the listing says and refers to the image.
    const payloadDesc: PayloadDescriptor = await run(1, 'artifact-invalid', async () =>
      checkArtifactManifest(await source.artifactManifest(artifact), artifact.digest, ctx.imageDigest),
    );
    // 2. The payload blob matches its descriptor and the schema.
    const payload: Payload = await run(2, 'payload-invalid', async () =>
      parsePayload(await source.payload(artifact, payloadDesc), payloadDesc),
    );
    did = payload.did;
    // 3. The payload speaks of this image.
    await run(3, 'subject-mismatch', () => {
      if (payload.subjectDigest !== ctx.imageDigest) {
        throw new VerifyError('subject-mismatch', `payload is about ${payload.subjectDigest}, not ${ctx.imageDigest}`);
      }
    });
    // 4. The signer's DID document: key and PDS.
    const doc: DidDocument = await run(4, 'did-resolution-failed', async () => {
      const resolved = await source.didDocument(artifact, payload.did);
      unprovenDocument = resolved.unproven === true;
      return resolved.doc;
    });
    // 5. The record proof from the PDS the document names (never the payload's hint).
    const carBytes = await run(5, 'proof-unavailable', async () => {
      if (payload.recordDid !== payload.did) {
        throw new VerifyError('proof-unavailable', `record URI is in ${payload.recordDid}'s repository, not ${payload.did}'s`);
      }
      return source.recordProof(artifact, doc.pds, payload.did, payload.rkey);
    });
    // 6. The proof's root commit is the signer's, signed by the document key.
    const { car, commit } = await run(6, 'commit-signature-invalid', () => verifyProofCommit(carBytes, payload.did, doc.key));
    // 7. The MST path proves the record (or its absence: revoked).
    const proven: ProvenRecord = await run(7, 'proof-invalid', () => proveRecord(car, commit, payload.rkey));
    // 8. The record signs this image's digest.
    await run(8, 'record-digest-mismatch', () => {
      if (proven.record.digest !== ctx.imageDigest) {
        throw new VerifyError('record-digest-mismatch', `record is for ${proven.record.digest}, not ${ctx.imageDigest}`);
      }
    });
    // 9. The record names this image's repository.
    await run(9, 'repository-mismatch', () => {
      if (proven.record.repository !== ctx.expectedRepository) {
        throw new VerifyError(
          'repository-mismatch',
          `record is for repository ${proven.record.repository}, not ${ctx.expectedRepository}`,
        );
      }
    });
    const fact: SignatureFact = {
      valid: true,
      did: payload.did,
      signedAt: proven.record.createdAt,
      pds: doc.pds,
      algorithm: doc.key.algorithm,
      keyId: doc.keyId,
      digest: proven.record.digest,
      recordUri: payload.recordUri,
      recordCid: proven.recordCid,
      commitCid: proven.commitCid,
      commitRev: proven.commitRev,
    };
    if (doc.handle) fact.handle = doc.handle;
    return { fact, timings, unavailable: false, unprovenDocument };
  } catch (err) {
    const e = err instanceof VerifyError ? err : asVerifyError(err, 'artifact-invalid');
    return {
      fact: { valid: false, did, error: { code: e.code, message: e.message } },
      timings,
      unavailable: e.unavailable,
      unprovenDocument,
    };
  }
}
