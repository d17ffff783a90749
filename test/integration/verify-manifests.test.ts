// `verify --manifests`: the CI gate before a deploy, through the built CLI against a real
// PDS, PLC directory and registry. Every image of every object verified once, decided by a
// policy, reported per object in each format; exit codes as `verify`.

import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtprotoWorld } from '../support/atproto-world.js';
import { runCli } from './cli.js';

let world: AtprotoWorld;
let dir: string;
let signed: string;
let unsigned: string;
let other: string;
let policy: string;

beforeAll(async () => {
  world = await AtprotoWorld.start();
  dir = mkdtempSync(join(tmpdir(), 'atcr-manifests-'));
  const alice = await world.account('alice');
  const mallory = await world.account('mallory');
  const a = await world.image('alice/web', '1.0');
  await world.sign(alice, a);
  const b = await world.image('alice/worker', '1.0');
  const c = await world.image('alice/cron', '1.0');
  await world.sign(mallory, c);
  signed = a.ref;
  unsigned = b.ref;
  other = c.ref;
  policy = join(dir, 'policy.yaml');
  writeFileSync(
    policy,
    `version: 1\nunmatched: deny\npolicies:\n  - name: alice\n    scope: "${world.registryHost}/alice/*"\n    require:\n      trustedDIDs: [${alice.did}]\n`,
  );
});
afterAll(async () => {
  await world?.stop();
});

const net = () => ['--plc-url', world.plcUrl, '--allow-private-network'];

function deployment(name: string, images: string[]): string {
  const containers = images.map((image, i) => `        - { name: c${i}, image: "${image}" }`).join('\n');
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: ${name}, namespace: prod }\nspec:\n  template:\n    spec:\n      containers:\n${containers}\n`;
}

describe('verify --manifests', () => {
  it('allows a deploy whose every image the policy allows (folder, links not followed into loops)', async () => {
    const d = join(dir, 'ok');
    mkdirSync(join(d, 'sub'), { recursive: true });
    writeFileSync(join(d, 'a.yaml'), deployment('web', [signed]));
    writeFileSync(join(d, 'sub', 'b.yml'), `kind: Pod\nmetadata: { name: p }\nspec: { initContainers: [ { image: "${signed}" } ], containers: [] }\n`);
    writeFileSync(join(d, 'README.md'), 'not a manifest');
    symlinkSync('..', join(d, 'sub', 'loop'));
    const run = await runCli(['verify', '--manifests', d, '--policy', policy, '--output', 'json', ...net()]);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.objects.map((o: { kind: string; name: string }) => `${o.kind}/${o.name}`)).toEqual(['Deployment/web', 'Pod/p']);
    expect(Object.keys(out.images)).toEqual([signed]);
    expect(out.images[signed]).toMatchObject({ verified: true, decision: { allowed: true, policy: 'alice' } });
  });

  it('denies a deploy with an unsigned or untrusted image, per object, in text', async () => {
    const file = join(dir, 'mixed.yaml');
    writeFileSync(file, [deployment('web', [signed, unsigned]), `kind: CronJob\nmetadata: { name: nightly }\nspec: { jobTemplate: { spec: { template: { spec: { containers: [ { image: "${other}" } ] } } } } }\n`].join('---\n'));
    const run = await runCli(['verify', '--manifests', file, '--policy', policy, ...net()]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`✓ ${signed}`);
    expect(run.stdout).toMatch(new RegExp(`✗ ${unsigned.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*`));
    expect(run.stdout).toContain('untrusted-did');
    expect(run.stdout).toMatch(/3 images in 2 objects: 1 verified, 2 not verified, 0 undecided/);
  });

  it('reads helm/kustomize output on standard input and writes SARIF and GitHub annotations', async () => {
    const { spawn } = await import('node:child_process');
    const { CLI } = await import('./cli.js');
    const runStdin = (format: string) =>
      new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, 'verify', '--manifests', '-', '--policy', policy, '--output', format, ...net()]);
        let stdout = '';
        child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
        child.on('close', (code) => resolve({ code, stdout }));
        child.stdin.end(deployment('web', [unsigned]));
      });
    const sarif = await runStdin('sarif');
    expect(sarif.code).toBe(1);
    const doc = JSON.parse(sarif.stdout);
    expect(doc.runs[0].results[0]).toMatchObject({ level: 'error', locations: [{ physicalLocation: { artifactLocation: { uri: '(stdin)' } } }] });
    expect(doc.runs[0].results[0].message.text).toContain(`Deployment prod/web: spec.template.spec.containers[0].image ${unsigned}`);
    const gh = await runStdin('github');
    expect(gh.stdout).toMatch(/^::error file=\(stdin\),line=1,col=1,title=/m);
  });

  it('waits on a slow pipe without spinning, then reads all of it', async () => {
    const { spawn } = await import('node:child_process');
    const { readFileSync } = await import('node:fs');
    const { CLI } = await import('./cli.js');
    // Standard input as a non-blocking pipe (as a parent that shares it can leave it): python
    // sets O_NONBLOCK on the pipe and becomes the CLI.
    const args = [CLI, 'verify', '--manifests', '-', '--policy', policy, '--output', 'json', ...net()];
    const become = 'import fcntl, os, sys; fcntl.fcntl(0, fcntl.F_SETFL, fcntl.fcntl(0, fcntl.F_GETFL) | os.O_NONBLOCK); os.execv(sys.argv[1], sys.argv[1:])';
    const child = spawn('python3', ['-c', become, process.execPath, ...args]);
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    const text = deployment('web', [signed]);
    child.stdin.write(text.slice(0, 20));
    // CPU time (user + system, in clock ticks of 1/100 s) the reader uses over 2 s of waiting,
    // after a second for start-up: none to speak of, where polling a non-blocking pipe would
    // burn most of it.
    const ticks = () => {
      const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return Number(f[11]) + Number(f[12]);
    };
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await sleep(1000);
    const before = ticks();
    await sleep(2000);
    const waited = ticks() - before;
    child.stdin.end(text.slice(20));
    expect(await closed).toBe(0);
    expect(JSON.parse(stdout).images[signed]).toMatchObject({ verified: true });
    expect(waited).toBeLessThan(50);
  });

  it('an unreachable registry is undecided (exit 3), never allowed', async () => {
    const file = join(dir, 'down.yaml');
    writeFileSync(file, deployment('web', ['127.0.0.1:1/alice/web:1.0']));
    const run = await runCli(['verify', '--manifests', file, '--policy', policy, '--insecure-registry', '127.0.0.1:1', '--timeout', '5s', '--output', 'json', ...net()]);
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout).exitCode).toBe(3);
  });

  it('bad input is a usage error naming the file and line', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'kind: Pod\nspec: [oops\n');
    const bad = await runCli(['verify', '--manifests', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.yaml:\d+: not valid YAML/);
    const both = await runCli(['verify', signed, '--manifests', file]);
    expect(both.code).toBe(2);
    expect((await runCli(['verify', '--manifests', '/dev/zero'])).stderr).toContain('--manifests /dev/zero is larger than 32 MiB');
    expect((await runCli(['verify', '--manifests', file, '--output', 'xml'])).code).toBe(2);
  });
});
