// The kernel's integration scenarios on the loopback world, for the tests that admit
// through the service: one image per scenario, signed (or not) as the scenario says, and
// a trust policy naming the world's signers. Shared by the Rego-model admission test and
// the real Gatekeeper test, so both judge the same world.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedPort } from '../../integration/cli.js';
import { AtprotoWorld } from '../../support/atproto-world.js';

export interface Scenario {
  image: string;
  /** What `verify --policy` decides for it. */
  allowed: boolean;
  /** Judged by a service whose PLC directory is down (not by the image itself). */
  plcDown?: boolean;
}

export const SCENARIOS = [
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

export type ScenarioName = (typeof SCENARIOS)[number];

export interface ScenarioWorld {
  world: AtprotoWorld;
  dir: string;
  policyFile: string;
  policyText: string;
  scenarios: Map<ScenarioName, Scenario>;
  /** An image by its `latest` tag, signed by a signer the `no-latest` policy does not trust. */
  latest: Scenario;
}

/** The names in order, for tests that iterate them. */
export const SCENARIO_NAMES = SCENARIOS;

export interface Scenarios {
  policyText: string;
  policyFile: string;
  expected: Map<ScenarioName, Scenario>;
  latest: Scenario;
}

/** A new loopback world with every scenario made in it. */
export async function startScenarioWorld(): Promise<ScenarioWorld> {
  const world = await AtprotoWorld.start();
  const dir = mkdtempSync(join(tmpdir(), 'atcr-serve-adm-'));
  const made = await makeScenarios(world, dir);
  return { world, dir, policyFile: made.policyFile, policyText: made.policyText, scenarios: made.expected, latest: made.latest };
}

/** Writes the policy into `dir` and makes every scenario's image in `world`. */
export async function makeScenarios(world: AtprotoWorld, dir: string): Promise<Scenarios> {
  const scenarios = new Map<ScenarioName, Scenario>();

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
    // A policy on the tag: what decides an image must not change when it is pinned.
    '  - name: no-latest',
    `    scope: "${host}/**:latest"`,
    '    require:',
    `      trustedDIDs: [${b.did}]`,
    '  - name: everything',
    `    scope: "${host}/**"`,
    '    require:',
    `      trustedDIDs: [${a.did}, ${b.did}, ${c.did}, ${d.did}]`,
    '',
  ].join('\n');
  writeFileSync(policyFile, policyText);

  const signed = await world.image('alice/app', '1.0');
  await world.sign(a, signed);
  scenarios.set('signed', { image: signed.ref, allowed: true });

  const two = await world.image('team/api', '2.0');
  await world.sign(a, two);
  await world.sign(b, two);
  scenarios.set('two signers', { image: two.ref, allowed: true });

  const one = await world.image('team/api', '2.1');
  await world.sign(a, one);
  scenarios.set('one of two signers', { image: one.ref, allowed: false });

  const unsigned = await world.image('alice/unsigned', '1');
  scenarios.set('unsigned', { image: unsigned.ref, allowed: false });

  const revoked = await world.image('alice/revoked', '1');
  await world.revoke(a, await world.sign(a, revoked));
  scenarios.set('revoked', { image: revoked.ref, allowed: false });

  const other = await world.image('alice/other', '1');
  await world.sign(a, other, { recordDigest: `sha256:${'0'.repeat(64)}` });
  scenarios.set('record for another digest', { image: other.ref, allowed: false });

  const rotated = await world.image('carol/rotated', '1');
  await world.sign(c, rotated);
  await world.rotateAtprotoKey(c);
  scenarios.set('key changed', { image: rotated.ref, allowed: false });

  const pdsDown = await world.image('dave/pdsdown', '1');
  await world.sign(d, pdsDown);
  await world.movePds(d, `http://127.0.0.1:${await closedPort()}`);
  scenarios.set('PDS down', { image: pdsDown.ref, allowed: false });

  const plcDown = await world.image('alice/plcdown', '1');
  await world.sign(a, plcDown);
  scenarios.set('PLC down', { image: plcDown.ref, allowed: false, plcDown: true });

  scenarios.set('registry down', { image: `127.0.0.1:${await closedPort()}/alice/app:1.0`, allowed: false });

  const latestImage = await world.image('alice/app', 'latest');
  await world.sign(a, latestImage);
  const latest = { image: latestImage.ref, allowed: false };

  return { policyFile, policyText, expected: scenarios, latest };
}
