// Debian's docker-registry (distribution 2.8) has no referrers API: signatures are found
// through the sha256-<hex> tag index, and the rest of verification is unchanged.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtprotoWorld } from '../support/atproto-world.js';
import { parseOutput, runCli } from './cli.js';

let world: AtprotoWorld;
beforeAll(async () => {
  world = await AtprotoWorld.start({ dockerRegistry: true });
}, 120_000);
afterAll(async () => {
  await world?.stop();
});

describe('verify on a registry without the referrers API', () => {
  it('finds both signatures through the tag index and verifies them', async () => {
    const a = await world.account();
    const b = await world.account();
    const img = await world.image('alice/legacy', '1.0');
    await world.sign(a, img);
    await world.sign(b, img);
    const run = await runCli(['verify', img.ref, '--plc-url', world.plcUrl, '--allow-private-network', '--output', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const out = parseOutput(run);
    expect(out.signatures.map((s) => s.valid)).toEqual([true, true]);
    expect(out.signatures.map((s) => s.did).sort()).toEqual([a.did, b.did].sort());
  });

  it('exports and verifies offline from the same registry', async () => {
    const a = await world.account();
    const img = await world.image('alice/legacy-offline', '1.0');
    await world.sign(a, img);
    const { mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'atcr-dr-')), 'b.json');
    expect((await runCli(['export', img.ref, '-o', file, '--plc-url', world.plcUrl, '--allow-private-network'])).code).toBe(0);
    const run = await runCli(['verify', img.ref, '--offline', '--bundle', file, '--output', 'json']);
    expect(run.code, run.stderr).toBe(0);
    expect(parseOutput(run).offline).toBe(true);
  });
});
