// `verify --verbose` prints each step on standard error as it ends, so a failure shows
// what ran before it: registry → referrers → the signature's steps up to the DID
// document that could not be resolved, each with its time; and a deadline that stops
// everything still leaves the steps that finished.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryRegistry } from '../support/registry/memory-registry.js';
import { pushImage, pushSignatureArtifact } from '../support/registry/push.js';
import { assertBuilt, cli, STACK_FRAME } from './run.js';

const DID = 'did:plc:abcdefghijklmnopqrstuvwx';
let reg: MemoryRegistry;
let plc: http.Server;
let plcUrl = '';
let image = '';
let artifact = '';

beforeAll(async () => {
  assertBuilt();
  reg = await new MemoryRegistry({}).start();
  const pushed = await pushImage(reg.host, 'alice/app', '1.0');
  image = `${reg.host}/alice/app:1.0`;
  const sig = await pushSignatureArtifact(reg.host, 'alice/app', pushed, {
    $type: 'io.atcr.signature',
    version: 1,
    subject: { digest: pushed.digest, repository: 'alice/app' },
    atproto: { did: DID, record: { uri: `at://${DID}/io.atcr.manifest/3kabc` } },
  });
  artifact = sig.digest;
  // A PLC directory that is down: every lookup is a 503.
  plc = http.createServer((_req, res) => res.writeHead(503).end());
  await new Promise<void>((r) => plc.listen(0, '127.0.0.1', r));
  plcUrl = `http://127.0.0.1:${(plc.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await reg?.stop();
  await new Promise<void>((r) => plc.close(() => r()));
});

/** The step lines (✓/✗, what, time in ms) in the order printed. */
function steps(stderr: string): { ok: boolean; what: string }[] {
  return stderr
    .split('\n')
    .map((l) => /^([✓✗]) (.+?)\s+\d+\.\d\d ms/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ ok: m[1] === '✓', what: m[2]!.trim() }));
}

describe('verify --verbose', () => {
  it('shows the steps that ran before the DID could not be resolved', async () => {
    const r = await cli(['verify', image, '--plc-url', plcUrl, '--allow-private-network', '--verbose']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    const sig = `signature ${artifact.slice(0, 19)}…`;
    const printed = steps(r.stderr);
    expect(printed.filter((s) => s.what.startsWith('signature'))).toEqual([
      { ok: true, what: `${sig} 1 artifact` },
      { ok: true, what: `${sig} 2 payload` },
      { ok: true, what: `${sig} 3 subject` },
      { ok: false, what: `${sig} 4 did-document` },
    ]);
    // Discovery came first, and said what it found.
    expect(printed.slice(0, 2)).toEqual([{ ok: true, what: 'registry resolve' }, { ok: true, what: 'referrers list' }]);
    expect(r.stderr).toContain(`${image} → sha256:`);
    expect(r.stderr).toContain('1 signature artifact');
    expect(r.stderr).toMatch(/4 did-document\s+\d+\.\d\d ms {2}did-resolution-failed: /);
    expect(r.stdout).toContain('UNDECIDED');
  });

  it('keeps the steps that finished when the deadline stops the rest', async () => {
    // A PLC directory that never answers: only --timeout ends the wait.
    const silent = http.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const r = await cli(['verify', image, '--plc-url', url, '--allow-private-network', '--verbose', '--timeout', '1s', '--request-timeout', '30s']);
      expect(r.code).toBe(3);
      const sig = `signature ${artifact.slice(0, 19)}…`;
      // The owner step runs beside the signatures: its place in the order is not fixed.
      expect(steps(r.stderr).filter((s) => !s.what.startsWith('owner'))).toEqual([
        { ok: true, what: 'registry resolve' },
        { ok: true, what: 'referrers list' },
        { ok: true, what: `${sig} 1 artifact` },
        { ok: true, what: `${sig} 2 payload` },
        { ok: true, what: `${sig} 3 subject` },
        // The deadline aborted the lookup in flight: that step ends too, as a failure.
        { ok: false, what: `${sig} 4 did-document` },
      ]);
      expect(r.stderr).toMatch(/^✗ stopped after \d+\.\d ms$/m);
      expect(r.stderr).toMatch(/\natcr-verify: did not finish within --timeout 1s; could not decide\n$/);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('shows the registry step that failed when the image is not there', async () => {
    const r = await cli(['verify', `${reg.host}/alice/app:missing`, '--plc-url', plcUrl, '--verbose']);
    expect(r.code).toBe(1);
    expect(steps(r.stderr)).toEqual([{ ok: false, what: 'registry resolve' }]);
    expect(r.stderr).toMatch(/✗ stopped after \d+\.\d ms/);
  });

  it('prints nothing of the kind without --verbose', async () => {
    const r = await cli(['verify', image, '--plc-url', plcUrl, '--allow-private-network']);
    expect(r.code).toBe(3);
    expect(steps(r.stderr)).toEqual([]);
  });
});
