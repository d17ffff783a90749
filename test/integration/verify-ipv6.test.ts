// A registry on an IPv6 address: the image reference names it in brackets
// (`[::1]:PORT/alice/app:1.0`), and verification goes through end to end with the built CLI.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtprotoWorld } from '../support/atproto-world.js';
import { parseOutput, runCli } from './cli.js';

let world: AtprotoWorld;

beforeAll(async () => {
  world = await AtprotoWorld.start({ ipv6Registry: true });
});
afterAll(async () => {
  await world?.stop();
});

describe('verify against a registry on IPv6', () => {
  it('accepts a valid signature on an image at [::1]', async () => {
    const alice = await world.account();
    const img = await world.image('alice/app', '1.0');
    expect(img.ref).toMatch(/^\[::1\]:\d+\/alice\/app:1\.0$/);
    await world.sign(alice, img);
    const run = await runCli(['verify', img.ref, '--plc-url', world.plcUrl, '--allow-private-network', '--output', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const out = parseOutput(run);
    expect(out.verified).toBe(true);
    expect(out.signatures).toHaveLength(1);
    expect(out.signatures[0]).toMatchObject({ valid: true, did: alice.did, digest: img.pushed.digest });
  });

  it('the registry at [::1] is the operator\'s choice (plain http on loopback needs no flag); the loopback PDS is still refused', async () => {
    const alice = await world.account();
    const img = await world.image('alice/private', '1.0');
    await world.sign(alice, img);
    const run = await runCli(['verify', img.ref, '--plc-url', world.plcUrl, '--output', 'json']);
    expect(run.code, run.stderr).toBe(1);
    const out = parseOutput(run);
    expect(out.digest).toBe(img.pushed.digest); // the registry answered
    expect(out.signatures[0]!.valid).toBe(false);
    // The PDS the DID document names (http://localhost) is refused: plain http, loopback.
    expect(out.signatures[0]!.error!.message).toMatch(/refusing http:\/\/ for http:\/\/localhost/);
  });
});
