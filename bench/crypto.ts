// Signature verifications per second on one core: our node:crypto path against
// @atproto/crypto's pure-JS path, for both ATProto curves. The key is parsed once
// (as the kernel does per DID document), the message is a typical commit size.
import * as atcrypto from '@atproto/crypto';
import { measure, type BenchRow } from './harness.js';
import { parsePublicKey, verifyWithKey } from '../src/kernel/crypto/index.js';

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
      await measure(`crypto: verify ${alg} (node:crypto)`, () => {
        if (!verifyWithKey(key, msg, sig)) throw new Error('verification failed');
      }, { batch: 50, target: alg === 'ES256K' ? '>= 2,500 ops/s' : undefined }),
    );
    rows.push(
      await measure(`crypto: verify ${alg} (@atproto/crypto)`, async () => {
        if (!(await atcrypto.verifySignature(kp.did(), msg, sig))) throw new Error('verification failed');
      }, { batch: 20, note: 'reference' }),
    );
  }
  return rows;
}
