import { describe, expect, it } from 'vitest';
import { DidResolver } from '../../../src/kernel/atproto/did-resolver.js';
import { resolveOwner } from '../../../src/kernel/verify/owner.js';
import { parseImageRef } from '../../../src/ref/reference.js';
import { classifyReport, estimateBytes, reviveFacts } from '../../../src/serve/cache/facts.js';
import { factsKey, factsKeyOf, tagKeyOf } from '../../../src/serve/cache/keys.js';
import { sampleReport, unavailableSignature, validSignature } from './sample.js';

describe('classifyReport', () => {
  it('keeps definite positive facts, without timings or the caller’s image string', () => {
    const r = sampleReport(1);
    const c = classifyReport(r);
    expect(c).toMatchObject({ cacheable: true, polarity: 'positive' });
    if (!c.cacheable) throw new Error('unreachable');
    expect(c.facts).toEqual({
      registry: 'atcr.io',
      repository: 'owner1/app1',
      digest: r.digest,
      owner: r.owner,
      verified: true,
      signatures: r.signatures,
      notes: [],
    });
    expect(Object.isFrozen(c.facts) && Object.isFrozen(c.facts.signatures[0])).toBe(true);
    // The JSON clients see is unchanged, key order included.
    expect(JSON.stringify(c.facts.signatures)).toBe(JSON.stringify(r.signatures));
  });

  it('keeps "verified: no valid signature" as a negative fact', () => {
    const r = sampleReport(2, { signatures: [{ valid: false, did: 'did:plc:x', error: { code: 'record-deleted', message: 'revoked' } }] });
    expect(classifyReport(r)).toMatchObject({ cacheable: true, polarity: 'negative' });
    expect(classifyReport(sampleReport(3, { signatures: [] }))).toMatchObject({ cacheable: true, polarity: 'negative' });
  });

  it('never keeps a report in which a service could not be reached, even with a valid signature beside it', () => {
    const r = sampleReport(4, { unavailable: true });
    r.signatures.push(unavailableSignature('did:plc:other'));
    expect(classifyReport(r)).toEqual({ cacheable: false, reason: 'unavailable' });
  });

  it('never keeps offline or unproven evidence', () => {
    expect(classifyReport({ ...sampleReport(5), offline: true })).toEqual({ cacheable: false, reason: 'offline' });
    expect(classifyReport({ ...sampleReport(5), unprovenDids: ['did:web:x'] })).toEqual({ cacheable: false, reason: 'unproven' });
  });

  it("recognises the kernel's own note for an owner handle that could not be resolved", async () => {
    // The real owner step, with the handle's host down: its note must be what the classifier looks for.
    const ref = parseImageRef('atcr.io/alice.example.com/app:1.0')!;
    const dids = new DidResolver({ plcUrl: 'http://127.0.0.1:9', timeoutMs: 500, allowPrivate: true });
    const owner = await resolveOwner(ref, ['atcr.io'], dids, {
      timeoutMs: 500,
      allowPrivate: true,
      allowHttp: true,
      dns: false,
      wellKnownUrl: () => 'http://127.0.0.1:9/.well-known/atproto-did',
    });
    expect(owner.owner).toBe('');
    const r = sampleReport(6, { image: 'atcr.io/alice.example.com/app:1.0', owner: '', notes: [owner.note!] });
    expect(classifyReport(r)).toEqual({ cacheable: false, reason: 'owner-unresolved' });
    // An owner that is "" because the registry has none is a definite answer.
    expect(classifyReport(sampleReport(7, { image: 'ghcr.io/alice/app:1.0', owner: '' }))).toMatchObject({ cacheable: true });
  });
});

describe('reviveFacts', () => {
  it('round-trips stored facts through JSON', () => {
    const c = classifyReport(sampleReport(8));
    if (!c.cacheable) throw new Error('unreachable');
    expect(reviveFacts(JSON.parse(JSON.stringify(c.facts)))).toEqual(c.facts);
  });

  it('refuses values that are not facts, and a `verified` its signatures contradict', () => {
    const c = classifyReport(sampleReport(9));
    if (!c.cacheable) throw new Error('unreachable');
    const good = JSON.parse(JSON.stringify(c.facts)) as Record<string, unknown>;
    expect(reviveFacts(null)).toBeNull();
    expect(reviveFacts([])).toBeNull();
    expect(reviveFacts({ ...good, digest: 5 })).toBeNull();
    expect(reviveFacts({ ...good, signatures: [{ valid: 'yes', did: 'x' }] })).toBeNull();
    expect(reviveFacts({ ...good, signatures: [{ valid: true, did: 'x', error: 'nope' }], verified: true })).toBeNull();
    expect(reviveFacts({ ...good, verified: false })).toBeNull();
  });
});

describe('keys and sizes', () => {
  it('facts are per digest, tags separate, a digest wins over a tag', () => {
    const d = validSignature(0, 'sha256:' + 'a'.repeat(64), 's').digest!;
    expect(factsKeyOf(parseImageRef(`nginx:1@${d}`)!)).toBe(`docker.io/library/nginx@${d}`);
    expect(tagKeyOf(parseImageRef(`nginx:1@${d}`)!)).toBeNull();
    expect(tagKeyOf(parseImageRef('nginx')!)).toBe('docker.io/library/nginx:latest');
    expect(factsKeyOf(parseImageRef('nginx')!)).toBeNull();
  });

  it('estimates grow with the facts', () => {
    const one = classifyReport(sampleReport(10, { signatures: [validSignature(1, 'sha256:' + 'b'.repeat(64), 'x')] }));
    const three = classifyReport(sampleReport(10));
    if (!one.cacheable || !three.cacheable) throw new Error('unreachable');
    const k = factsKey('atcr.io', 'a/b', three.facts.digest);
    expect(estimateBytes(k, three.facts)).toBeGreaterThan(estimateBytes(k, one.facts) + 600);
    expect(JSON.stringify(three.facts).length).toBeLessThan(estimateBytes(k, three.facts));
  });
});
