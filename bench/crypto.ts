// Signature verifications per second on one core, for both ATProto curves: the kernel's
// path (libsecp256k1 for ES256K, OpenSSL for ES256), OpenSSL through node:crypto, and
// @atproto/crypto's pure-JS path. The key is parsed once (as the kernel does per DID
// document); the message is a typical commit size.
import { verify } from 'node:crypto';
import * as atcrypto from '@atproto/crypto';
import { measure, type BenchRow } from './harness.js';
import { parsePublicKey, verifyWithKey, verifyWithKeyAsync } from '../src/kernel/crypto/index.js';

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const msg = new Uint8Array(180).map((_, i) => i);
  for (const [alg, make] of [
    ['ES256K', () => atcrypto.Secp256k1Keypair.create()],
    ['ES256', () => atcrypto.P256Keypair.create()],
  ] as const) {
    const kp = await make();
    const sig = await kp.sign(msg);
    const key = parsePublicKey(kp.did());
    rows.push(
      await measure(`crypto: verify ${alg} (kernel: ${alg === 'ES256K' ? 'libsecp256k1' : 'OpenSSL'})`, () => {
        if (!verifyWithKey(key, msg, sig)) throw new Error('verification failed');
      }, { batch: 50, target: alg === 'ES256K' ? '>= 2,500 ops/s' : undefined }),
    );
    rows.push(
      await measure(`crypto: verify ${alg} (node:crypto / OpenSSL)`, () => {
        if (!verify('sha256', msg, { key: key.keyObject, dsaEncoding: 'ieee-p1363' }, sig)) throw new Error('verification failed');
      }, { batch: 50, note: 'OpenSSL’s own rate' }),
    );
    if (alg === 'ES256') {
      // The thread-pool variant: what a server gets from all cores at once.
      const batch = Array.from({ length: 32 });
      rows.push(
        await measure(`crypto: verify ${alg} (kernel, thread pool, all cores)`, async () => {
          const ok = await Promise.all(batch.map(() => verifyWithKeyAsync(key, msg, sig)));
          if (!ok.every(Boolean)) throw new Error('verification failed');
        }, { opsPerCall: batch.length, note: 'whole machine, not per core' }),
      );
    }
    rows.push(
      await measure(`crypto: verify ${alg} (@atproto/crypto)`, async () => {
        if (!(await atcrypto.verifySignature(kp.did(), msg, sig))) throw new Error('verification failed');
      }, { batch: 20, note: 'reference' }),
    );
  }
  return rows;
}
