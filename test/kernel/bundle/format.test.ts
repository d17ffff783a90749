import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../../../src/kernel/bundle/base64.js';
import { BundleError, parseBundle, serializeBundle, type Bundle } from '../../../src/kernel/bundle/format.js';

const enc = (s: string) => new TextEncoder().encode(s);
const DIGEST = `sha256:${'ab'.repeat(32)}`;

const bundle = (): Bundle => ({
  version: 1,
  createdAt: '2026-11-25T12:00:00.000Z',
  image: { reference: 'atcr.io/alice/app:1.0', digest: DIGEST, mediaType: 'application/vnd.oci.image.manifest.v1+json', manifest: enc('{}') },
  owner: { segment: 'alice.example.com', did: 'did:plc:abcdefghijklmnopqrstuvwx', method: 'dns', didDocument: enc('{}'), plcAuditLog: enc('[]') },
  signatures: [
    {
      artifactDigest: DIGEST,
      artifactManifest: enc('{"a":1}'),
      payload: enc('{}'),
      did: 'did:plc:abcdefghijklmnopqrstuvwx',
      didDocument: enc('{}'),
      plcAuditLog: enc('[]'),
      proof: new Uint8Array([0, 1, 2, 255]),
    },
    { artifactDigest: DIGEST, artifactManifest: enc('{}') },
  ],
});

function failure(bytes: Uint8Array): string {
  try {
    parseBundle(bytes);
    return 'ok';
  } catch (err) {
    if (err instanceof BundleError) return err.code;
    throw err;
  }
}

describe('offline bundle format', () => {
  it('round-trips every field', () => {
    const b = bundle();
    expect(parseBundle(enc(serializeBundle(b)))).toEqual(b);
  });

  it('round-trips each kind of owner record, and reads bundles without one', () => {
    const owners: Bundle['owner'][] = [
      { segment: 'did:plc:abcdefghijklmnopqrstuvwx', did: 'did:plc:abcdefghijklmnopqrstuvwx', method: 'did' },
      { segment: 'alice.example.com', did: 'did:web:example.com', method: 'well-known', didDocument: enc('{}') },
      undefined,
    ];
    for (const owner of owners) {
      const b = bundle();
      if (owner) b.owner = owner;
      else delete b.owner;
      expect(parseBundle(enc(serializeBundle(b)))).toEqual(b);
    }
  });

  it('is deterministic text', () => {
    expect(serializeBundle(bundle())).toBe(serializeBundle(bundle()));
  });

  it.each([
    ['another version', (j: Record<string, unknown>) => ({ ...j, version: 2 })],
    ['an unknown top-level field', (j: Record<string, unknown>) => ({ ...j, extra: 1 })],
    ['a bad createdAt', (j: Record<string, unknown>) => ({ ...j, createdAt: 'yesterday' })],
    ['a bad image digest', (j: Record<string, any>) => ({ ...j, image: { ...j.image, digest: 'sha256:xyz' } })],
    ['non-canonical base64', (j: Record<string, any>) => ({ ...j, image: { ...j.image, manifest: 'e30' } })],
    ['base64 with a line break', (j: Record<string, any>) => ({ ...j, image: { ...j.image, manifest: 'e3\n0=' } })],
    ['an unknown signature field', (j: Record<string, any>) => ({ ...j, signatures: [{ ...j.signatures[0], note: 'x' }] })],
    ['an audit log for a did:web', (j: Record<string, any>) => ({ ...j, signatures: [{ ...j.signatures[0], did: 'did:web:example.com' }] })],
    ['an unknown owner method', (j: Record<string, any>) => ({ ...j, owner: { ...j.owner, method: 'guess' } })],
    ['an unknown owner field', (j: Record<string, any>) => ({ ...j, owner: { ...j.owner, note: 'x' } })],
    ['an owner that is not a DID', (j: Record<string, any>) => ({ ...j, owner: { ...j.owner, did: 'alice.example.com' } })],
    ['a handle owner without a document', (j: Record<string, any>) => ({ ...j, owner: { ...j.owner, didDocument: undefined } })],
    ['a did:plc handle owner without its log', (j: Record<string, any>) => ({ ...j, owner: { ...j.owner, plcAuditLog: undefined } })],
    ['a did:web owner with a log', (j: Record<string, any>) => ({ ...j, owner: { ...j.owner, did: 'did:web:example.com' } })],
    ['a DID-segment owner naming another DID', (j: Record<string, any>) => ({ ...j, owner: { segment: 'did:plc:zzzzzzzzzzzzzzzzzzzzzzzz', did: j.owner.did, method: 'did' } })],
    ['a DID-segment owner with a document', (j: Record<string, any>) => ({ ...j, owner: { ...j.owner, segment: j.owner.did, method: 'did' } })],
    ['signatures not a list', (j: Record<string, unknown>) => ({ ...j, signatures: {} })],
  ])('rejects %s', (_, edit) => {
    const j = JSON.parse(serializeBundle(bundle())) as Record<string, unknown>;
    expect(failure(enc(JSON.stringify(edit(j))))).toBe('bundle-invalid');
  });

  it('never crashes on random bytes or random JSON', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.json().map(enc)), (bytes) => {
        expect(['ok', 'bundle-invalid']).toContain(failure(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it('never crashes when any field of a valid bundle is replaced by random JSON', () => {
    const j = JSON.parse(serializeBundle(bundle())) as Record<string, any>;
    const paths = [['version'], ['createdAt'], ['image'], ['owner'], ['owner', 'method'], ['owner', 'didDocument'], ['image', 'digest'], ['image', 'manifest'], ['signatures'], ['signatures', 0], ['signatures', 0, 'proof'], ['signatures', 0, 'did']];
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue(), (path, value) => {
        const copy = structuredClone(j);
        let o: any = copy;
        for (const k of path.slice(0, -1)) o = o[k];
        o[path[path.length - 1]!] = value;
        expect(['ok', 'bundle-invalid']).toContain(failure(enc(JSON.stringify(copy))));
      }),
      { numRuns: 500 },
    );
  });

  it('base64 decoding accepts exactly the canonical encodings', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(fromBase64(toBase64(bytes))).toEqual(bytes);
      }),
    );
    fc.assert(
      fc.property(fc.string(), (s) => {
        const d = fromBase64(s);
        if (d) expect(toBase64(d)).toBe(s);
      }),
    );
  });
});
