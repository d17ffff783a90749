// The kernel's integration scenarios on the loopback world, as the admission tests use them:
// a trust policy over the world's registry and one image per situation (signed, two
// signers, unsigned, revoked, a record for another digest, a changed key, PDS, PLC and
// registry down), each with the decision `atcr-verify verify --policy` must reach.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { closedPort } from '../../integration/cli.js';
import type { AtprotoWorld } from '../../support/atproto-world.js';

export interface Scenario {
  image: string;
  allowed: boolean;
  /** Decided by a service whose PLC directory is down. */
  plcDown?: boolean;
}

export const SCENARIO_NAMES = [
  'signed',
  'two signers',
  'one of two signers',
  'unsigned',
  'revoked',
  'record for another digest',
  'key changed',
  'PDS down',
  'PLC down',
  'registry down',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface Scenarios {
  policyText: string;
  policyFile: string;
  expected: Map<ScenarioName, Scenario>;
}

/** Writes the policy into `dir` and makes every scenario's image in `world`. */
export async function makeScenarios(world: AtprotoWorld, dir: string): Promise<Scenarios> {
  const [a, b, c, d] = await Promise.all([world.account(), world.account(), world.account(), world.account()]);
  const host = world.registryHost;
  const policyFile = join(dir, 'policy.yaml');
  const policyText = [
    'version: 1',
    'policies:',
    '  - name: team',
    `    scope: "${host}/team/*"`,
    '    require:',
    `      trustedDIDs: [${a.did}, ${b.did}]`,
    '      minSignatures: 2',
    '  - name: everything',
    `    scope: "${host}/**"`,
    '    require:',
    `      trustedDIDs: [${a.did}, ${b.did}, ${c.did}, ${d.did}]`,
    '',
  ].join('\n');
  writeFileSync(policyFile, policyText);
  const expected = new Map<ScenarioName, Scenario>();

  const signed = await world.image('alice/app', '1.0');
  await world.sign(a, signed);
  expected.set('signed', { image: signed.ref, allowed: true });

  const two = await world.image('team/api', '2.0');
  await world.sign(a, two);
  await world.sign(b, two);
  expected.set('two signers', { image: two.ref, allowed: true });

  const one = await world.image('team/api', '2.1');
  await world.sign(a, one);
  expected.set('one of two signers', { image: one.ref, allowed: false });

  const unsigned = await world.image('alice/unsigned', '1');
  expected.set('unsigned', { image: unsigned.ref, allowed: false });

  const revoked = await world.image('alice/revoked', '1');
  await world.revoke(a, await world.sign(a, revoked));
  expected.set('revoked', { image: revoked.ref, allowed: false });

  const other = await world.image('alice/other', '1');
  await world.sign(a, other, { recordDigest: `sha256:${'0'.repeat(64)}` });
  expected.set('record for another digest', { image: other.ref, allowed: false });

  const rotated = await world.image('carol/rotated', '1');
  await world.sign(c, rotated);
  await world.rotateAtprotoKey(c);
  expected.set('key changed', { image: rotated.ref, allowed: false });

  const pdsDown = await world.image('dave/pdsdown', '1');
  await world.sign(d, pdsDown);
  await world.movePds(d, `http://127.0.0.1:${await closedPort()}`);
  expected.set('PDS down', { image: pdsDown.ref, allowed: false });

  const plcDown = await world.image('alice/plcdown', '1');
  await world.sign(a, plcDown);
  expected.set('PLC down', { image: plcDown.ref, allowed: false, plcDown: true });

  expected.set('registry down', { image: `127.0.0.1:${await closedPort()}/alice/app:1.0`, allowed: false });
  return { policyText, policyFile, expected };
}
