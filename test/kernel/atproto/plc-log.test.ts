import * as acrypto from '@atproto/crypto';
import * as plc from '@did-plc/lib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveDidDocument } from '../../../src/kernel/atproto/plc-log.js';
import { codeOfAsync as codeOf } from '../proof/codes.js';

type PlcSigner = Parameters<typeof plc.createOp>[0]['signer'];
const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));


/** A did:plc with a genesis operation and a PDS move, as the directory's audit log. */
async function history() {
  const rotation = (await acrypto.Secp256k1Keypair.create()) as unknown as PlcSigner;
  const signing = await acrypto.Secp256k1Keypair.create();
  const { op, did } = await plc.createOp({
    signingKey: signing.did(),
    handle: 'alice.example.com',
    pds: 'https://pds-one.example.com',
    rotationKeys: [rotation.did()],
    signer: rotation,
  });
  const moved = await plc.updatePdsOp(op, rotation, 'https://pds-two.example.com');
  const entry = (operation: unknown) => ({ did, operation, cid: 'bafy', nullified: false, createdAt: '2026-11-20T08:00:00.000Z' });
  return { did, signing, rotation, log: [entry(op), entry(moved)] };
}

describe('did:plc documents from the operation log', () => {
  it('re-derives the current document', async () => {
    const h = await history();
    const doc = await deriveDidDocument(h.did, enc(h.log));
    expect(doc.pds).toBe('https://pds-two.example.com');
    expect(doc.handle).toBe('alice.example.com');
    expect(doc.key.didKey).toBe(h.signing.did());
  });

  it('skips nullified operations', async () => {
    const h = await history();
    h.log[1]!.nullified = true;
    expect((await deriveDidDocument(h.did, enc(h.log))).pds).toBe('https://pds-one.example.com');
  });

  it('rejects a log whose genesis is another DID’s', async () => {
    const h = await history();
    expect(await codeOf(deriveDidDocument('did:plc:zzzzzzzzzzzzzzzzzzzzzzzz', enc(h.log)))).toBe('did-document-invalid');
  });

  it('rejects an operation not signed by a rotation key of the one before', async () => {
    const h = await history();
    const stranger = (await acrypto.Secp256k1Keypair.create()) as unknown as PlcSigner;
    const forged = await plc.updatePdsOp(h.log[0]!.operation as plc.Operation, stranger, 'https://evil.example.com');
    h.log[1]!.operation = forged;
    expect(await codeOf(deriveDidDocument(h.did, enc(h.log)))).toBe('did-document-invalid');
  });

  it('rejects an edited operation', async () => {
    const h = await history();
    (h.log[1]!.operation as { services: { atproto_pds: { endpoint: string } } }).services.atproto_pds.endpoint = 'https://evil.example.com';
    expect(await codeOf(deriveDidDocument(h.did, enc(h.log)))).toBe('did-document-invalid');
  });

  it('rejects operations out of order', async () => {
    const h = await history();
    expect(await codeOf(deriveDidDocument(h.did, enc([h.log[1], h.log[0]])))).toBe('did-document-invalid');
  });

  it('says which operation failed which check, in one short line without the operation', async () => {
    const h = await history();
    const third = await plc.updatePdsOp(h.log[1]!.operation as plc.Operation, h.rotation, 'https://pds-three.example.com');
    h.log.push({ ...h.log[1]!, operation: third });
    (h.log[1]!.operation as { services: { atproto_pds: { endpoint: string } } }).services.atproto_pds.endpoint = 'https://evil.example.com';
    const stranger = (await acrypto.Secp256k1Keypair.create()) as unknown as PlcSigner;
    const cases: [unknown[], string][] = [
      // The edited operation's signature no longer matches it.
      [h.log, `operation 1 of 3 is not signed by a rotation key of operation 0`],
      [[h.log[0], h.log[2]], `operation 1 of 2 does not follow operation 0`],
      [[{ ...h.log[0], operation: await plc.updatePdsOp(h.log[0]!.operation as plc.Operation, stranger, 'https://x.example.com') }], 'operation 0 of 1'],
      [[{ ...h.log[0], operation: { type: 'plc_operation', secret: 'x'.repeat(5000) } }], 'operation 0 of 1 is not a well-formed PLC operation'],
    ];
    for (const [log, expected] of cases) {
      const err = await deriveDidDocument(h.did, enc(log)).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(err?.message).toContain(expected);
      expect(err!.message).toContain(h.did);
      expect(err!.message.length).toBeLessThan(160);
      expect(err!.message).not.toMatch(/[{}"\n]|rotationKeys|did:key|evil|xxxx/);
    }
  });

  it('never crashes on random bytes or random JSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.json().map(enc)), async (bytes) => {
        expect(await codeOf(deriveDidDocument('did:plc:abcdefghijklmnopqrstuvwx', bytes))).toBe('did-document-invalid');
      }),
      { numRuns: 300 },
    );
  });
});
