import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyFromDidKey } from '../../../src/kernel/atproto/keys.js';
import { parseCar } from '../../../src/kernel/proof/car.js';
import { codeOfAsync as code } from './codes.js';
import { verifyRecordProof } from '../../../src/kernel/proof/record-proof.js';
import { CID } from '../../../src/kernel/proof/ipld.js';
import { DID, IMAGE, makeRepo, manifestRecord, writeCar } from './repo-fixture.js';


describe('record proofs from a real repository', () => {
  it('proves a record and reports the commit that signs it', async () => {
    const f = await makeRepo({ '3kaaaaaaaaaa2': manifestRecord() });
    const proven = await verifyRecordProof(await f.proof('3kaaaaaaaaaa2'), DID, keyFromDidKey(f.didKey), '3kaaaaaaaaaa2');
    expect(proven.record.digest).toBe(IMAGE);
    expect(proven.record.repository).toBe('alice/app');
    expect(proven.commitCid).toBe(f.repo.cid.toString());
    expect(proven.commitRev).toBe(f.repo.commit.rev);
  });

  it('walks deep trees: every key proves inclusion, every other key proves absence', async () => {
    const records: Record<string, Record<string, unknown>> = {};
    for (let i = 0; i < 300; i++) records[`3k${i.toString(36).padStart(11, '0')}`] = manifestRecord(IMAGE, `repo/${i}`);
    const f = await makeRepo(records, { filler: 0 });
    const key = keyFromDidKey(f.didKey);
    const rkeys = Object.keys(records);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...rkeys), async (rkey) => {
        const proven = await verifyRecordProof(await f.proof(rkey), DID, key, rkey);
        expect(proven.record.repository).toBe(records[rkey]!.repository);
      }),
      { numRuns: 40 },
    );
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^3k[0-9a-z]{11}$/), async (rkey) => {
        fc.pre(!(rkey in records));
        expect(await code(verifyRecordProof(await f.proof(rkey), DID, key, rkey))).toBe('record-deleted');
      }),
      { numRuns: 40 },
    );
  });

  it('verifies P-256 signed commits too', async () => {
    const f = await makeRepo({ '3kaaaaaaaaaa2': manifestRecord() }, { p256: true });
    const key = keyFromDidKey(f.didKey);
    expect(key.algorithm).toBe('ES256');
    await expect(verifyRecordProof(await f.proof('3kaaaaaaaaaa2'), DID, key, '3kaaaaaaaaaa2')).resolves.toBeTruthy();
  });

  it('turns a proof of absence into record-deleted', async () => {
    const f = await makeRepo({ '3kaaaaaaaaaa2': manifestRecord() });
    const car = await f.proof('3kzzzzzzzzzz2');
    expect(await code(verifyRecordProof(car, DID, keyFromDidKey(f.didKey), '3kzzzzzzzzzz2'))).toBe('record-deleted');
  });

  it('rejects a commit signed by another key', async () => {
    const f = await makeRepo({ '3kaaaaaaaaaa2': manifestRecord() });
    const other = await makeRepo({});
    const car = await f.proof('3kaaaaaaaaaa2');
    expect(await code(verifyRecordProof(car, DID, keyFromDidKey(other.didKey), '3kaaaaaaaaaa2'))).toBe(
      'commit-signature-invalid',
    );
  });

  it('rejects a commit by another DID', async () => {
    const f = await makeRepo({ '3kaaaaaaaaaa2': manifestRecord() });
    const car = await f.proof('3kaaaaaaaaaa2');
    expect(await code(verifyRecordProof(car, 'did:plc:zzzzzzzzzzzzzzzzzzzzzzzz', keyFromDidKey(f.didKey), '3kaaaaaaaaaa2'))).toBe(
      'commit-signature-invalid',
    );
  });

  it('rejects a proof whose record block was dropped', async () => {
    const f = await makeRepo({ '3kaaaaaaaaaa2': manifestRecord() });
    const car = await f.proof('3kaaaaaaaaaa2');
    const parsed = parseCar(car);
    // Rebuild the CAR without the record block.
    const recordCid = [...parsed.blocks.entries()].find(([, b]) => Buffer.from(b).includes(Buffer.from(IMAGE)))![0];
    const kept = [...parsed.blocks.entries()]
      .filter(([cid]) => cid !== recordCid)
      .map(([cid, bytes]) => [CID.parse(cid).bytes, bytes] as [Uint8Array, Uint8Array]);
    expect(await code(verifyRecordProof(writeCar(parsed.root, kept), DID, keyFromDidKey(f.didKey), '3kaaaaaaaaaa2'))).toBe(
      'proof-invalid',
    );
  });

  it('rejects any single flipped byte', async () => {
    const f = await makeRepo({ '3kaaaaaaaaaa2': manifestRecord() }, { filler: 5 });
    const car = await f.proof('3kaaaaaaaaaa2');
    const key = keyFromDidKey(f.didKey);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: car.length - 1 }), fc.integer({ min: 1, max: 255 }), async (i, x) => {
        const edited = new Uint8Array(car);
        edited[i] = edited[i]! ^ x;
        const c = await code(verifyRecordProof(edited, DID, key, '3kaaaaaaaaaa2'));
        expect(c).not.toBe('ok');
      }),
      { numRuns: 150 },
    );
  });

  it('never crashes on random bytes: it fails with a code', async () => {
    const f = await makeRepo({}, { filler: 1 });
    const key = keyFromDidKey(f.didKey);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), async (bytes) => {
        expect(['proof-invalid', 'proof-unavailable', 'commit-signature-invalid']).toContain(
          await code(verifyRecordProof(bytes, DID, key, '3kaaaaaaaaaa2')),
        );
      }),
      { numRuns: 300 },
    );
  });
});
