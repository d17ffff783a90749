// The `policy` commands through the built binary: outputs, exit codes (cli.md: 0 success,
// 1 definite negative, 2 usage or input error) and never a stack trace.

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { assertBuilt, cli, ROOT, STACK_FRAME } from './run.js';

const FIX = 'test/fixtures/policies';
const VALID = `${FIX}/valid.yaml`;
const golden = (name: string) => readFileSync(path.join(ROOT, 'test/lint/__golden__', name), 'utf8');

const made: string[] = [];
beforeAll(() => assertBuilt());
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

function tmp(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'atcr-cli-'));
  made.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return dir;
}

describe('policy lint', () => {
  it('a clean policy: one line saying so, exit 0; machine formats carry no such line', async () => {
    const r = await cli(['policy', 'lint', VALID]);
    expect(r).toEqual({ code: 0, stdout: '1 file checked, no findings\n', stderr: '' });
    const many = await cli(['policy', 'lint', 'policies/production.yaml', 'policies/staging.yaml']);
    expect(many.stdout).toBe('2 files checked, no findings\n');
    expect((await cli(['policy', 'lint', VALID, '--format', 'github'])).stdout).toBe('');
    expect(JSON.parse((await cli(['policy', 'lint', VALID, '--format', 'json'])).stdout)).toEqual([]);
  });

  it('warnings: exit 0, or 1 with --strict; output matches the baselines', async () => {
    // The fixture's min-signatures-unreachable findings are errors (those policies can never be satisfied).
    const r = await cli(['policy', 'lint', `${FIX}/lint-warnings.yaml`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(golden('lint-warnings.txt'));
    const dir = mkdtempSync(path.join(tmpdir(), 'atcr-lint-warn-'));
    made.push(dir);
    const warnOnly = path.join(dir, 'open.yaml');
    writeFileSync(warnOnly, 'version: 1\npolicies:\n  - name: open\n    scope: a/*\n');
    const w = await cli(['policy', 'lint', warnOnly]);
    expect(w.stdout).toContain('warning trusts-any-did');
    expect(w.code).toBe(0);
    const strict = await cli(['policy', 'lint', '--strict', warnOnly]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toBe(w.stdout);
    expect((await cli(['policy', 'lint', '--strict', VALID])).code).toBe(0);
  });

  it('errors: exit 1 in every format; outputs match the baselines', async () => {
    for (const [format, file] of [
      ['text', 'lint-errors.txt'],
      ['json', 'lint-errors.json'],
      ['github', 'lint-errors.github.txt'],
    ]) {
      const r = await cli(['policy', 'lint', '--format', format!, `${FIX}/lint-errors.yaml`]);
      expect(r.code, format).toBe(1);
      expect(r.stdout, format).toBe(golden(file!));
      expect(r.stderr).toBe('');
    }
    const sarif = await cli(['policy', 'lint', '--format', 'sarif', `${FIX}/lint-errors.yaml`]);
    expect(sarif.code).toBe(1);
    const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(JSON.parse(sarif.stdout)).toEqual(JSON.parse(golden('lint-errors.sarif').replace('0.0.0-golden', version)));
  });

  it('several files are linted together, sorted by file', async () => {
    const r = await cli(['policy', 'lint', '--format', 'json', `${FIX}/lint-warnings.yaml`, `${FIX}/lint-errors.yaml`, VALID]);
    expect(r.code).toBe(1);
    const rows = JSON.parse(r.stdout) as { file: string; severity: string }[];
    const files = rows.map((x) => x.file);
    expect(files).toEqual([...files].sort());
    expect(new Set(files)).toEqual(new Set([`${FIX}/lint-errors.yaml`, `${FIX}/lint-warnings.yaml`]));
  });

  it('the shipped policies and their suites lint clean, as `policy lint policies/*.yaml` (README) runs them', async () => {
    const files = readdirSync(path.join(ROOT, 'policies'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => `policies/${f}`);
    expect(files.filter((f) => f.endsWith('.test.yaml')).length).toBeGreaterThan(0);
    const r = await cli(['policy', 'lint', '--strict', ...files]);
    expect(r).toEqual({ code: 0, stdout: `${files.length} files checked, no findings\n`, stderr: '' });
  });

  it('a *.test.yaml file is checked as a test suite', async () => {
    const dir = tmp({ 'x.test.yaml': 'policy: ./p.yaml\ncases: []\n' });
    const r = await cli(['policy', 'lint', path.join(dir, 'x.test.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/x\.test\.yaml:2:8 error schema `cases` must not be an empty list/);
  });
});

describe('bad policy files: a clear finding with a position, exit 1 for lint and 2 for commands that need a policy', () => {
  const bomb = (() => {
    let t = 'version: 1\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
    for (let i = 1; i < 10; i++) t += `l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(', ')}]\n`;
    return t;
  })();
  const cases: [string, string | Buffer, string, RegExp][] = [
    ['malformed YAML', 'version: 1\npolicies: [\n  { name: a, scope: x\n', 'yaml-syntax', /:\d+:\d+ error yaml-syntax /],
    ['a wrong type', 'version: 1\npolicies:\n  - name: a\n    scope: 42\n', 'schema', /:4:12 error schema .*must be a string or a non-empty list/],
    ['an unknown field', 'version: 1\npolicy: []\n', 'schema', /:2:1 error schema unknown field `policy`/],
    ['an alias bomb', bomb, 'yaml-syntax', /error yaml-syntax .*alias bomb/],
    ['a file over 5 MiB', `version: 1\n#${'x'.repeat(5 * 1024 * 1024)}\n`, 'yaml-syntax', /:1:1 error yaml-syntax .*5 MiB/],
    ['nesting over 64 levels', `version: 1\nx: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, 'yaml-syntax', /:2:68 error yaml-syntax the document nests deeper than 64 levels/],
    ['non-UTF-8 bytes', Buffer.concat([Buffer.from('version: 1\n# caf'), Buffer.from([0xe9]), Buffer.from('\n')]), 'yaml-syntax', /:2:6 error yaml-syntax byte 0xe9 .*UTF-8/],
    ['a missing extended file', 'version: 1\nextends: [./nowhere.yaml]\n', 'schema', /bad\.yaml:2:11 error schema `extends`: the document .*nowhere\.yaml does not exist/],
  ];
  for (const [what, content, rule, line] of cases) {
    it(what, async () => {
      const dir = tmp({ 'bad.yaml': content });
      const file = path.join(dir, 'bad.yaml');
      const lint = await cli(['policy', 'lint', '--format', 'json', file]);
      expect(lint.code).toBe(1);
      expect(lint.stderr).not.toMatch(STACK_FRAME);
      expect((JSON.parse(lint.stdout) as { rule: string }[]).map((d) => d.rule)).toContain(rule);
      const text = await cli(['policy', 'lint', file]);
      expect(text.stdout).toMatch(line);

      for (const args of [
        ['policy', 'explain', file],
        ['policy', 'eval', file, '--input', '-'],
        ['policy', 'compile', file, '--target', 'rego', '-o', path.join(dir, 'out')],
      ]) {
        const r = await cli(args, '{}');
        expect(r.code, args[1]).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(line);
        expect(r.stderr).toMatch(/atcr-verify: .*bad\.yaml is not a valid trust policy \(\d+ errors?\)/);
        expect(r.stderr).not.toMatch(STACK_FRAME);
      }
    });
  }

  it('a policy file that does not exist: a usage error (exit 2) for eval and lint alike', async () => {
    const e = await cli(['policy', 'eval', 'nope.yaml', '--input', '-'], '{}');
    expect(e.code).toBe(2);
    expect(e.stderr).toBe('atcr-verify: the policy file nope.yaml does not exist\n');
    expect(e.stderr).not.toMatch(STACK_FRAME);
    const l = await cli(['policy', 'lint', 'nope.yaml']);
    expect(l.code).toBe(2);
    expect(l.stdout).toBe('');
    expect(l.stderr).toBe('atcr-verify: the policy file nope.yaml does not exist\n');
  });
});

describe('policy explain', () => {
  it('text: every policy after inheritance with where each value came from', async () => {
    const r = await cli(['policy', 'explain', 'policies/production.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^unmatched: deny$/m);
    expect(r.stdout).toMatch(/^policy production {2}\(policies\/production\.yaml:\d+:\d+\)/m);
    expect(r.stdout).toMatch(/chain\s+production → org-default → defaults/);
    // maxAge 30d is production's own; 90d of org-default comes from defaults in the baseline.
    expect(r.stdout).toMatch(/maxAge\s+30d\s+← production \(policies\/production\.yaml:\d+:\d+\)/);
    expect(r.stdout).toMatch(/maxAge\s+90d\s+← defaults \(policies\/org-baseline\.yaml:\d+:\d+\)/);
    expect(r.stdout).toMatch(/minSignatures\s+1\s+← built-in/);
  });

  it('--image: candidates in order of specificity, the chosen one and why', async () => {
    const r = await cli(['policy', 'explain', 'policies/production.yaml', '--image', 'atcr.io/acme/prod-api:latest']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const cands = lines.filter((l) => /^\s+\d+\. /.test(l)).map((l) => l.trim().split(/\s+/).slice(0, 3));
    expect(cands).toEqual([
      ['1.', '✓', 'production-latest'],
      ['2.', 'production', 'scope'],
      ['3.', 'org-default', 'scope'],
    ]);
    expect(r.stdout).toContain('`when` is false for this image');
    expect(r.stdout).toMatch(/less specific than production-latest/);
    expect(r.stdout).toMatch(/→ policy production-latest decides/);
  });

  it('--output json with --image', async () => {
    const r = await cli(['policy', 'explain', 'policies/production.yaml', '--image', 'atcr.io/acme/prod-api:1.4', '--output', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.file).toBe('policies/production.yaml');
    expect(j.policies.map((p: { name: string }) => p.name)).toEqual(['org-default', 'base-images', 'production', 'production-latest']);
    const prod = j.policies.find((p: { name: string }) => p.name === 'production');
    expect(prod.maxAge).toEqual({ value: '30d', from: 'production', at: expect.stringMatching(/^policies\/production\.yaml:\d+:\d+$/) });
    expect(j.image.chosen).toBe('production');
    expect(j.image.candidates.map((c: { policy: string; chosen: boolean }) => [c.policy, c.chosen])).toEqual([
      ['production', true],
      ['org-default', false],
    ]);
    expect(j.image.normalized).toMatchObject({ registry: 'atcr.io', repository: 'acme/prod-api', tag: '1.4', namespace: 'acme' });
  });

  it('an equal-specificity tie is explained by document order; an unmatched or unparseable image says so', async () => {
    const dir = tmp({ 't.yaml': 'version: 1\nunmatched: audit\npolicies:\n  - name: one\n    scope: "atcr.io/*/svc"\n    require: { signature: false }\n  - name: two\n    scope: "atcr.io/web/*"\n    require: { signature: false }\n' });
    const tie = await cli(['policy', 'explain', path.join(dir, 't.yaml'), '--image', 'atcr.io/web/svc']);
    expect(tie.code).toBe(0);
    expect(tie.stdout).toMatch(/as specific as one, which comes first in the merged document/);
    const none = await cli(['policy', 'explain', path.join(dir, 't.yaml'), '--image', 'quay.io/x/y']);
    expect(none.stdout).toMatch(/no policy scope matches this image/);
    expect(none.stdout).toMatch(/unmatched: audit \(allowed and reported\)/);
    const bad = await cli(['policy', 'explain', path.join(dir, 't.yaml'), '--image', 'NOT A REF']);
    expect(bad.code).toBe(0);
    expect(bad.stdout).toMatch(/does not parse.*invalid-image/);
  });
});

describe('policy eval', () => {
  const signed = (did: string, signedAt: string) => ({ valid: true, did, signedAt, pds: 'https://pds.acme.example' });

  it('one input from a file: the decision JSON; exit 0 when allowed', async () => {
    const dir = tmp({
      'in.json': JSON.stringify({ image: 'atcr.io/acme/prod-api:1', now: '2026-11-25T12:00:00Z', signatures: [signed('did:plc:devops', '2026-11-20T00:00:00Z')] }),
    });
    const r = await cli(['policy', 'eval', VALID, '--input', path.join(dir, 'in.json')]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ allowed: true, effect: 'allow', policy: 'production', action: 'enforce', satisfiedBy: ['did:plc:devops'], violations: [] });
  });

  it('standard input, exit 1 on deny', async () => {
    const r = await cli(['policy', 'eval', VALID, '--input', '-'], JSON.stringify({ image: 'atcr.io/acme/prod-api:1', now: '2026-11-25T12:00:00Z', signatures: [] }));
    expect(r.code).toBe(1);
    const d = JSON.parse(r.stdout);
    expect(d).toMatchObject({ allowed: false, effect: 'deny', policy: 'production' });
    expect(d.violations.map((v: { code: string }) => v.code)).toEqual(['no-signatures']);
  });

  it('a batch array gives an array of decisions in order; exit 1 when any is denied', async () => {
    const inputs = [
      { image: 'atcr.io/acme/prod-api:1', now: '2026-11-25T12:00:00Z', signatures: [signed('did:plc:security', '2026-11-20T00:00:00Z')] },
      { image: 'quay.io/x/y', now: '2026-11-25T12:00:00Z', signatures: [] },
      { image: 'atcr.io/acme/web', now: '2026-11-25T12:00:00Z', signatures: [signed('did:plc:security', '2026-11-20T00:00:00Z')] },
    ];
    const r = await cli(['policy', 'eval', VALID, '--input', '-'], JSON.stringify(inputs));
    expect(r.code).toBe(1);
    const ds = JSON.parse(r.stdout) as { effect: string; policy: string | null }[];
    expect(ds.map((d) => [d.effect, d.policy])).toEqual([
      ['allow', 'production'],
      ['deny', null],
      ['allow', 'acme'],
    ]);
    const allAllowed = await cli(['policy', 'eval', VALID, '--input', '-'], JSON.stringify([inputs[0], inputs[2]]));
    expect(allAllowed.code).toBe(0);
    const empty = await cli(['policy', 'eval', VALID, '--input', '-'], '[]');
    expect(empty.code).toBe(0);
    expect(JSON.parse(empty.stdout)).toEqual([]);
  });

  it('a missing `now` is filled from --now, else from the clock; an input`s own now is kept', async () => {
    const input = (extra: object) => JSON.stringify({ image: 'atcr.io/acme/prod-api:1', signatures: [signed('did:plc:devops', '2026-11-20T00:00:00Z')], ...extra });
    const fresh = await cli(['policy', 'eval', VALID, '--input', '-', '--now', '2026-11-25T12:00:00Z'], input({}));
    expect(JSON.parse(fresh.stdout)).toMatchObject({ effect: 'allow' });
    const late = await cli(['policy', 'eval', VALID, '--input', '-', '--now', '2027-06-01T00:00:00Z'], input({}));
    expect(late.code).toBe(1);
    expect(JSON.parse(late.stdout).violations.map((v: { code: string }) => v.code)).toEqual(['signature-expired']);
    const own = await cli(['policy', 'eval', VALID, '--input', '-', '--now', '2027-06-01T00:00:00Z'], input({ now: '2026-11-25T12:00:00Z' }));
    expect(JSON.parse(own.stdout)).toMatchObject({ effect: 'allow' });
    // From the clock: a signature from a minute ago qualifies, one dated an hour ahead is from the future.
    const ago = new Date(Date.now() - 60_000).toISOString();
    const ahead = new Date(Date.now() + 3_600_000).toISOString();
    const clock = await cli(['policy', 'eval', VALID, '--input', '-'], JSON.stringify([
      { image: 'atcr.io/acme/prod-api:1', signatures: [signed('did:plc:devops', ago)] },
      { image: 'atcr.io/acme/prod-api:1', signatures: [signed('did:plc:devops', ahead)] },
    ]));
    const [a, b] = JSON.parse(clock.stdout);
    expect(a.effect).toBe('allow');
    expect(b.violations.map((v: { code: string }) => v.code)).toEqual(['signature-from-future']);
  });

  it('audit and warn effects exit 0', async () => {
    const dir = tmp({ 'p.yaml': 'version: 1\nunmatched: audit\npolicies:\n  - name: w\n    scope: "atcr.io/w/*"\n    action: warn\n    require: { trustedDIDs: [did:plc:a] }\n' });
    for (const image of ['atcr.io/w/x', 'quay.io/a/b']) {
      const r = await cli(['policy', 'eval', path.join(dir, 'p.yaml'), '--input', '-', '--now', '2026-11-25T12:00:00Z'], JSON.stringify({ image, signatures: [] }));
      expect(r.code, image).toBe(0);
      expect(JSON.parse(r.stdout).allowed).toBe(true);
    }
  });

  it('an input file that starts with a byte order mark is read', async () => {
    const dir = tmp({ 'bom.json': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ image: 'atcr.io/acme/web', now: '2026-11-25T12:00:00Z', signatures: [] }))]) });
    const r = await cli(['policy', 'eval', VALID, '--input', path.join(dir, 'bom.json')]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ policy: 'acme', effect: 'deny' });
  });

  it('a batch prints the same bytes on the native engine (read from bytes) and on wasm (parsed first)', async () => {
    const images = ['atcr.io/acme/prod-api:1', 'atcr.io/acme/web', 'quay.io/x/y', 'not a ref', 'atcr.io/acme/prod-api@sha256:' + 'a'.repeat(64)];
    const dids = ['did:plc:devops', 'did:plc:security', 'did:plc:mallory', 'did:plc:\u00e9\u202e'];
    const inputs = Array.from({ length: 300 }, (_, k) => ({
      image: images[k % images.length],
      ...(k % 3 === 0 ? {} : { now: '2026-11-25T12:00:00Z' }),
      signatures: Array.from({ length: k % 4 }, (_, s) =>
        s === 2 ? { valid: false, did: dids[(k + s) % dids.length], error: { code: 'record-digest-mismatch', message: 'x' } } : signed(dids[(k + s) % dids.length]!, '2026-11-2' + (k % 6) + 'T00:00:00Z'),
      ),
    }));
    const dir = tmp({ 'batch.json': JSON.stringify(inputs, null, 1) });
    const args = ['policy', 'eval', VALID, '--input', path.join(dir, 'batch.json'), '--now', '2026-11-25T12:00:00Z'];
    const native = await cli(args);
    const wasm = await cli([...args, '--engine', 'wasm']);
    expect(native.code).toBe(1);
    expect(wasm.code).toBe(native.code);
    expect(native.stdout).toBe(wasm.stdout);
    const ds = JSON.parse(native.stdout) as { effect: string }[];
    expect(ds).toHaveLength(300);
    expect(new Set(ds.map((d) => d.effect))).toEqual(new Set(['allow', 'deny']));
    expect(native.stdout).not.toMatch(/[\u202e]/);
  });

  it('a batch broken deep inside is refused with the position of the fault, and prints no decisions', async () => {
    const good = JSON.stringify({ image: 'atcr.io/acme/web', now: '2026-11-25T12:00:00Z', signatures: [] });
    const text = `[\n${Array.from({ length: 50 }, () => good).join(',\n')},\n{"image": "atcr.io/acme/web", "signatures": [,]}\n]`;
    const r = await cli(['policy', 'eval', VALID, '--input', '-'], text);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/<stdin>:52:\d+: invalid JSON/);
  });

  it('input errors are exit 2 with the file and position', async () => {
    const bad = await cli(['policy', 'eval', VALID, '--input', '-'], '{"image": ');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/<stdin>:1:\d+: invalid JSON/);
    const missing = await cli(['policy', 'eval', VALID, '--input', 'no-such-input.json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no-such-input\.json does not exist/);
    const now = await cli(['policy', 'eval', VALID, '--input', '-', '--now', 'tomorrow'], '{}');
    expect(now.code).toBe(2);
    expect(now.stderr).toMatch(/--now "tomorrow" is not an RFC 3339 time/);
    const esc = await cli(['policy', 'eval', VALID, '--input', '-'], '{"a": \u001b]0;title\u0007}');
    expect(esc.code).toBe(2);
    expect(esc.stderr).toMatch(/<stdin>.*invalid JSON/);
    // eslint-disable-next-line no-control-regex
    expect(esc.stderr).not.toMatch(/[\u001b\u0007]/);
    for (const r of [bad, missing, now, esc]) expect(r.stderr).not.toMatch(STACK_FRAME);
  });
});

describe('policy test', () => {
  it('the shipped suites pass, closing with `N passed, 0 failed`', async () => {
    const suites = ['critical-multisig', 'org-baseline', 'production', 'staging', 'third-party'];
    const cases = suites.reduce((n, s) => n + (parse(readFileSync(path.join(ROOT, `policies/${s}.test.yaml`), 'utf8')) as { cases: unknown[] }).cases.length, 0);
    const r = await cli(['policy', 'test', 'policies/']);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(`${cases} passed, 0 failed`);
  });

  it('a failing case exits 1 and shows the difference', async () => {
    const dir = tmp({
      'p.yaml': 'version: 1\npolicies:\n  - name: p\n    scope: "atcr.io/**"\n    require: { trustedDIDs: [did:plc:a] }\n',
      'p.test.yaml': [
        'policy: ./p.yaml',
        'now: 2026-11-25T12:00:00Z',
        'cases:',
        '  - name: trusted signer passes',
        '    input: { image: atcr.io/x/y, signatures: [ { valid: true, did: did:plc:a, signedAt: 2026-11-20T00:00:00Z } ] }',
        '    expect: { effect: allow, policy: p, satisfiedBy: [did:plc:a] }',
        '  - name: wrongly expects an untrusted signer to pass',
        '    input: { image: atcr.io/x/y, signatures: [ { valid: true, did: did:plc:b, signedAt: 2026-11-20T00:00:00Z } ] }',
        '    expect: { effect: allow, violations: [] }',
        '',
      ].join('\n'),
    });
    const r = await cli(['policy', 'test', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✓ passed {2}trusted signer passes/);
    expect(r.stdout).toMatch(/✗ FAILED {2}wrongly expects an untrusted signer to pass/);
    expect(r.stdout).toContain('effect: expected "allow", got "deny"');
    expect(r.stdout).toContain('violations: expected [], got ["untrusted-did"]');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('1 passed, 1 failed');
    const json = await cli(['policy', 'test', path.join(dir, 'p.test.yaml'), '--output', 'json']);
    expect(json.code).toBe(1);
    const j = JSON.parse(json.stdout);
    expect([j.passed, j.failed]).toEqual([1, 1]);
    expect(j.suites[0].cases.map((c: { passed: boolean }) => c.passed)).toEqual([true, false]);
  });

  it('an invalid suite or no suites at all is exit 2', async () => {
    const dir = tmp({ 'x.test.yaml': 'policy: ./p.yaml\ncases: nope\n' });
    const bad = await cli(['policy', 'test', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/x\.test\.yaml:2:\d+ error schema/);
    expect(bad.stderr).not.toMatch(STACK_FRAME);
    const empty = await cli(['policy', 'test', mkdtempSync(path.join(tmpdir(), 'atcr-empty-'))]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/no test suites/);
    const badPolicy = tmp({ 'p.yaml': 'version: 1\npolicies:\n  - name: Bad\n    scope: x\n', 'p.test.yaml': 'policy: ./p.yaml\ncases:\n  - name: x\n    input: {}\n    expect: { effect: deny }\n' });
    const bp = await cli(['policy', 'test', badPolicy]);
    expect(bp.code).toBe(2);
    expect(bp.stderr).toMatch(/p\.yaml:3:11 error schema/);
    expect(bp.stderr).toMatch(/is not a valid trust policy/);
    const missing = await cli(['policy', 'test', 'no/such/dir']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).not.toMatch(STACK_FRAME);
  });
});

describe('policy schema', () => {
  it('prints a JSON Schema that ajv compiles and that judges documents like the loader', async () => {
    const r = await cli(['policy', 'schema']);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const validate = new Ajv2020({ strict: true }).compile(schema);
    expect(validate(parse(readFileSync(path.join(ROOT, VALID), 'utf8')))).toBe(true);
    expect(validate(parse(readFileSync(path.join(ROOT, 'policies/production.yaml'), 'utf8')))).toBe(true);
    expect(validate({ version: 1, policies: [{ name: 'a', scope: 'x', bogus: 1 }] })).toBe(false);
    expect(validate({ version: 1, policies: [{ name: 'Bad', scope: 'x' }] })).toBe(false);
    expect(validate({ policies: [] })).toBe(false);
  });
});

describe('policy compile', () => {
  it('writes the artifacts of a target and prints their paths', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'atcr-compile-'));
    const r = await cli(['policy', 'compile', VALID, '--target', 'rego', '-o', out]);
    expect(r.code).toBe(0);
    const printed = r.stdout.trimEnd().split('\n');
    expect(printed.length).toBeGreaterThan(0);
    for (const p of printed) {
      expect(p.startsWith(out)).toBe(true);
      expect(readFileSync(p, 'utf8').length).toBeGreaterThan(0);
    }
    expect(printed.some((p) => p.endsWith('.rego') && readFileSync(p, 'utf8').includes('package atcr.trust'))).toBe(true);
  });
});

describe('usage errors exit 2; help exits 0', () => {
  for (const args of [
    ['policy', 'frobnicate'],
    ['policy', 'lint'],
    ['policy', 'lint', '--format', 'xml', VALID],
    ['policy', 'lint', '--no-such-flag', VALID],
    ['policy', 'eval', VALID],
    ['policy', 'eval', VALID, '--input', '-', '--engine', 'quantum'],
    ['policy', 'explain', VALID, '--output', 'yaml'],
    ['policy', 'compile', VALID],
  ]) {
    it(args.join(' '), async () => {
      const r = await cli(args, '{}');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/error: /);
      expect(r.stderr).not.toMatch(STACK_FRAME);
    });
  }

  it('--help of every policy command has an example and exits 0', async () => {
    for (const c of ['lint', 'explain', 'eval', 'test', 'compile', 'schema']) {
      const r = await cli(['policy', c, '--help']);
      expect(r.code, c).toBe(0);
      expect(r.stdout, c).toMatch(/Example:\n\s+.*atcr-verify policy /);
    }
  });
});
