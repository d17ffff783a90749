// The conformance corpus: every case every engine must decide alike, grouped by trust
// document so engines can load a policy once and decide many inputs.
//   - the shipped suites (policies/*.test.yaml), with their expectations;
//   - the kernel's integration scenarios as decision inputs (the facts verification
//     produces for: signed, two signers, unsigned, revoked, a record for another digest, a
//     changed key, PDS / PLC / registry down);
//   - random (IR, input) pairs from the project's generators, from a logged seed.

import fc from 'fast-check';
import { compilePolicyFile } from '../../src/lower/load.js';
import { findSuites, loadSuite, type Expectation } from '../../src/testing/suite.js';
import type { IRDocument } from '../../src/ir/types.js';
import { arbDecisionInput, arbIRDocument } from '../support/arbitraries.js';
import { decisionInput as regoDecisionInput, irDocument as regoIrDocument } from '../backends/rego/arbitraries.js';

export interface CorpusCase {
  /** Stable within a seed: `<group>#<index or case name>`. */
  id: string;
  input: unknown;
  expect?: Expectation;
}

export interface CorpusGroup {
  id: string;
  kind: 'suite' | 'scenario' | 'random';
  ir: IRDocument;
  cases: CorpusCase[];
}

export const DEFAULT_SEED = 20261202;

export async function suiteGroups(dir = 'policies'): Promise<CorpusGroup[]> {
  const groups: CorpusGroup[] = [];
  for (const file of (await findSuites([dir])).files) {
    const { suite, diagnostics } = await loadSuite(file);
    if (!suite) throw new Error(`${file}: ${JSON.stringify(diagnostics)}`);
    const { ir, diagnostics: d2 } = await compilePolicyFile(suite.policyFile);
    if (!ir) throw new Error(`${suite.policyFile}: ${JSON.stringify(d2)}`);
    const id = suite.file.replace(/^.*policies\//u, 'policies/');
    groups.push({ id, kind: 'suite', ir, cases: suite.cases.map((c) => ({ id: `${id}#${c.name}`, input: c.input, expect: c.expect })) });
  }
  return groups;
}

const NOW = '2026-11-25T12:00:00Z';
const DEVOPS = 'did:plc:acmedevops2team4deploy7';
const SECURITY = 'did:plc:acmesecurity2team4sig7x';
const OWNER = 'did:plc:acmeowner2ofprod4apiz';
const PDS = 'https://pds.acme.example';

function good(did: string, signedAt = '2026-11-20T08:00:00Z', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { valid: true, did, signedAt, handle: 'devops.acme.example', pds: PDS, algorithm: 'ES256K', digest: 'sha256:' + 'a'.repeat(64), ...extra };
}

function failed(did: string, code: string, message: string): Record<string, unknown> {
  return { valid: false, did, error: { code, message } };
}

/**
 * The facts the kernel's integration tests (test/integration, test/kernel) produce for each
 * situation, as the decision input the service hands to engines. "Registry down" leaves no
 * signature facts at all (the referrers cannot be listed); PDS and PLC outages make the
 * signatures found unusable with the kernel's error codes.
 */
export function scenarioInputs(image = 'atcr.io/acme/prod-api:1.4'): CorpusCase[] {
  const c = (name: string, signatures: unknown[], owner: string | undefined = OWNER): CorpusCase => ({
    id: `scenarios#${name}`,
    input: { image, ...(owner === undefined ? {} : { owner }), now: NOW, signatures },
  });
  return [
    c('signed', [good(DEVOPS)]),
    c('two signers', [good(DEVOPS), good(SECURITY, '2026-11-21T08:00:00.250Z', { handle: 'security.acme.example' })]),
    c('signed by the owner', [good(OWNER)]),
    c('unsigned', []),
    c('revoked (record deleted)', [failed(DEVOPS, 'record-deleted', 'the signature record was deleted')]),
    c('record for another digest', [failed(DEVOPS, 'record-digest-mismatch', 'the record signs sha256:bbbb…, not this image')]),
    c('key changed since signing', [failed(DEVOPS, 'commit-signature-invalid', 'the commit is not signed by the current key')]),
    c('PDS down', [failed(DEVOPS, 'pds-unavailable', 'the PDS did not answer')]),
    c('PLC down', [failed(DEVOPS, 'did-resolution-failed', 'the PLC directory did not answer')]),
    c('registry down', [], undefined),
    c('signed too long ago', [good(DEVOPS, '2026-09-01T00:00:00Z')]),
    c('signed in the future', [good(DEVOPS, '2026-11-25T12:06:00Z')]),
    c('untrusted signer', [good('did:plc:mallory')]),
    c('one good, one revoked', [good(DEVOPS), failed(SECURITY, 'record-deleted', 'gone')]),
  ];
}

export async function scenarioGroups(): Promise<CorpusGroup[]> {
  const { ir } = await compilePolicyFile('policies/production.yaml');
  if (!ir) throw new Error('policies/production.yaml does not compile');
  const latest = scenarioInputs('atcr.io/acme/prod-api:latest').map((c) => ({ ...c, id: c.id + ' (latest)' }));
  const other = scenarioInputs('docker.io/library/alpine:3').map((c) => ({ ...c, id: c.id + ' (unmatched)' }));
  return [{ id: 'scenarios', kind: 'scenario', ir, cases: [...scenarioInputs(), ...latest, ...other] }];
}

/**
 * `documents` random documents with `perDocument` inputs each, half from the project-wide
 * generators and half from the Rego back end's, from one seed.
 */
export function randomGroups(seed: number, documents: number, perDocument: number): CorpusGroup[] {
  const half = Math.ceil(documents / 2);
  const pairs = (ir: fc.Arbitrary<IRDocument>, input: fc.Arbitrary<unknown>, n: number, s: number) =>
    fc.sample(fc.tuple(ir, fc.array(input, { minLength: perDocument, maxLength: perDocument })), { seed: s, numRuns: n });
  const all = [...pairs(arbIRDocument, arbDecisionInput, half, seed), ...pairs(regoIrDocument, regoDecisionInput, documents - half, seed + 1)];
  return all.map(([ir, inputs], g) => ({
    id: `random/${g}`,
    kind: 'random' as const,
    ir,
    cases: inputs.map((input, i) => ({ id: `random/${g}#${i}`, input })),
  }));
}
