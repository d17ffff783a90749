// The verdict of verify-then-decide (docs/verification.md "Outcomes and exit codes"): an
// owner that could not be asked for turns a deny of a validly signed image into
// "undecided", and nothing else.
import { describe, expect, it } from 'vitest';
import { compileText } from '../../src/lower/pipeline.js';
import { outcomeOf, type FactsView } from '../../src/verification/decide.js';

const OWNER = 'did:plc:ownerownerownerownerowne';
const OTHER = 'did:plc:otherotherotherotherothe';
const policy = compileText(
  'p.yaml',
  `version: 1\nunmatched: deny\npolicies:\n  - name: owner-signed\n    scope: "atcr.io/**"\n    require:\n      trustedDIDs: [owner]\n      minSignatures: 1\n`,
).ir!;
const now = '2026-12-01T00:00:00Z';
const sig = (did: string, valid: boolean) =>
  valid
    ? { valid: true, did, signedAt: '2026-11-30T00:00:00Z', pds: 'https://pds.example.com', algorithm: 'ES256' }
    : { valid: false, did, error: { code: 'signature-invalid', message: 'bad' } };
function facts(owner: string, signatures: ReturnType<typeof sig>[], ownerUnavailable: boolean): FactsView {
  return {
    digest: 'sha256:' + '1'.repeat(64),
    owner,
    signatures: signatures as FactsView['signatures'],
    verified: signatures.some((s) => s.valid),
    unavailable: false,
    ...(ownerUnavailable ? { ownerUnavailable: true as const } : {}),
    offline: false,
    notes: [],
  };
}
const image = 'atcr.io/alice.test/app:1';

describe('the verdict with an owner that could not be asked for', () => {
  it('is undecided when the policy denies a validly signed image', () => {
    const o = outcomeOf(image, facts('', [sig(OWNER, true)], true), { policy, now });
    expect(o.decision?.allowed).toBe(false);
    expect(o.verdict).toBe('undecided');
  });

  it('is a deny when the owner is known to be none (resolved, no such handle)', () => {
    expect(outcomeOf(image, facts('', [sig(OWNER, true)], false), { policy, now }).verdict).toBe('denied');
  });

  it('is a deny when no signature is valid: no owner could change that', () => {
    expect(outcomeOf(image, facts('', [sig(OWNER, false)], true), { policy, now }).verdict).toBe('denied');
  });

  it('without a policy, a valid signature verifies and none denies', () => {
    expect(outcomeOf(image, facts('', [sig(OTHER, true)], true)).verdict).toBe('verified');
    expect(outcomeOf(image, facts('', [sig(OTHER, false)], true)).verdict).toBe('denied');
  });

  it('with the owner known, the policy decides as usual', () => {
    expect(outcomeOf(image, facts(OWNER, [sig(OWNER, true)], false), { policy, now }).verdict).toBe('verified');
    expect(outcomeOf(image, facts(OWNER, [sig(OTHER, true)], false), { policy, now }).verdict).toBe('denied');
  });
});
