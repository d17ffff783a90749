// A real PDS and PLC directory in-process (@atproto/dev-env), with signer accounts that
// log in with app passwords, as a user of `atcr-verify sign` would.
import { TestNetworkNoAppView } from '@atproto/dev-env';

export interface Signer {
  did: string;
  handle: string;
  appPassword: string;
}

export async function startPds(): Promise<TestNetworkNoAppView> {
  return TestNetworkNoAppView.create({});
}

export async function createSigner(net: TestNetworkNoAppView, name: string): Promise<Signer> {
  const agent = net.pds.getClient();
  const handle = `${name}.test`;
  const acct = await agent.createAccount({ handle, email: `${name}@test.com`, password: `${name}-login-password` });
  const ap = await agent.com.atproto.server.createAppPassword({ name: 'atcr-sign' });
  return { did: acct.data.did, handle, appPassword: ap.data.password };
}
